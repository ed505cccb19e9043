"""A fixed-capacity float32 buffer addressed by absolute sample index."""

from __future__ import annotations

import numpy as np


class Ring:
    def __init__(self, capacity: int) -> None:
        self._data = np.zeros(capacity, dtype=np.float32)
        self.capacity = capacity
        self.end = 0  # absolute index one past the newest sample

    @property
    def start(self) -> int:
        return max(0, self.end - self.capacity)

    def append(self, samples: np.ndarray) -> None:
        n = len(samples)
        if n >= self.capacity:
            samples = samples[-self.capacity:]
            self.end += n - self.capacity
            n = self.capacity
        i = self.end % self.capacity
        first = min(n, self.capacity - i)
        self._data[i:i + first] = samples[:first]
        self._data[:n - first] = samples[first:]
        self.end += n

    def get(self, s0: int, s1: int) -> np.ndarray:
        """Samples [s0, s1), clipped to what is still held."""
        s0, s1 = max(s0, self.start), min(s1, self.end)
        if s1 <= s0:
            return np.zeros(0, dtype=np.float32)
        i0, i1 = s0 % self.capacity, s1 % self.capacity
        if i0 < i1 or i1 == 0 and i0 > 0:
            return self._data[i0:i1 or self.capacity].copy()
        return np.concatenate([self._data[i0:], self._data[:i1]])
