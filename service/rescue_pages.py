"""Rows read straight off the b-tree pages of a damaged session database.

SQLite reaches a leaf only through the pages above it; when those are lost (a file cut
short loses the interior pages, which are written last) the leaves are still there. This
walks every page, takes the pages of the ``events`` table (an index b-tree, WITHOUT ROWID:
rows on its interior pages too) and the leaves of ``sessions`` (a table b-tree), and decodes their records as the file format
(https://sqlite.org/fileformat2.html) lays them out. Free pages (listed in the header's
freelist) are skipped: they hold rows of deleted sessions. A row whose overflow chain is
broken is left out.
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["scan"]

EVENT_COLUMNS = (str, int, (int, float), str, str)  # session_id, seq, t, type, json
SESSION_COLUMNS = 9  # id, started_wall, lang, status, reason, owner, coachee, partner, keep_audio


def scan(path: Path) -> tuple[list[tuple], list[tuple]]:
    """(events rows as (session_id, seq, t, type, json), sessions rows as in the table)."""
    data = Path(path).read_bytes()
    page, reserved = 4096, 0
    if data[:16] == b"SQLite format 3\x00":
        page = struct.unpack(">H", data[16:18])[0]
        page = 65536 if page == 1 else page
        reserved = data[20]
        if page < 512 or page & (page - 1):
            page, reserved = 4096, 0
    pages = _Pages(data, page, page - reserved)
    free = pages.freelist() if data[:16] == b"SQLite format 3\x00" else set()
    events, sessions = [], []
    for n in range(1, len(data) // page + 1):
        if n in free:
            continue
        for kind, rec in pages.leaf_records(n):
            if kind == "index" and _shaped(rec, EVENT_COLUMNS):
                events.append(tuple(rec))
            elif kind == "table" and len(rec) == SESSION_COLUMNS and isinstance(rec[0], str) \
                    and isinstance(rec[1], (int, float)):
                sessions.append(tuple(rec))
    return events, sessions


def _shaped(rec: list, columns: tuple) -> bool:
    return len(rec) == len(columns) and all(isinstance(v, c) for v, c in zip(rec, columns))


class _Pages:
    def __init__(self, data: bytes, size: int, usable: int) -> None:
        self.data, self.size, self.usable = data, size, usable

    def get(self, n: int) -> bytes | None:
        if n < 1 or n * self.size > len(self.data):
            return None
        return self.data[(n - 1) * self.size:n * self.size]

    def freelist(self) -> set[int]:
        free: set[int] = set()
        trunk = struct.unpack(">I", self.data[32:36])[0]
        while trunk and trunk not in free and (p := self.get(trunk)) is not None:
            free.add(trunk)
            count = min(struct.unpack(">I", p[4:8])[0], (self.usable - 8) // 4)
            free.update(struct.unpack(f">{count}I", p[8:8 + 4 * count]))
            trunk = struct.unpack(">I", p[:4])[0]
        return free

    def leaf_records(self, n: int):
        """("index" | "table", values) for each cell of page n: a table leaf, or an index
        page of either kind (an index keeps rows on its interior pages too)."""
        p = self.get(n)
        if p is None:
            return
        h = 100 if n == 1 else 0
        kind = {0x0A: "index", 0x02: "index", 0x0D: "table"}.get(p[h])
        if kind is None:
            return
        head = 12 if p[h] == 0x02 else 8  # an interior page: its right child's number too
        cells = struct.unpack(">H", p[h + 3:h + 5])[0]
        if h + head + 2 * cells > self.size:
            return
        for i in range(cells):
            off = struct.unpack(">H", p[h + head + 2 * i:h + head + 2 + 2 * i])[0]
            try:
                payload = self._payload(p, off + (4 if head == 12 else 0), kind)
                if payload is not None:
                    yield kind, _record(payload)
            except (IndexError, ValueError, struct.error, UnicodeDecodeError):
                continue  # a cell of garbage

    def _payload(self, p: bytes, off: int, kind: str) -> bytes | None:
        size, off = _varint(p, off)
        if kind == "table":
            _, off = _varint(p, off)  # the rowid
        u = self.usable
        x = u - 35 if kind == "table" else (u - 12) * 64 // 255 - 23
        if size <= x:
            return p[off:off + size] if off + size <= self.size else None
        m = (u - 12) * 32 // 255 - 23
        k = m + (size - m) % (u - 4)
        local = k if k <= x else m
        out = bytearray(p[off:off + local])
        nxt = struct.unpack(">I", p[off + local:off + local + 4])[0]
        seen = set()
        while len(out) < size:
            q = self.get(nxt)
            if q is None or nxt in seen:
                return None  # the chain runs off the file or in a circle
            seen.add(nxt)
            out += q[4:min(u, 4 + size - len(out))]
            nxt = struct.unpack(">I", q[:4])[0]
        return bytes(out)


def _varint(b: bytes, i: int) -> tuple[int, int]:
    v = 0
    for k in range(9):
        c = b[i + k]
        if k == 8:
            return (v << 8) | c, i + 9
        v = (v << 7) | (c & 0x7F)
        if c < 0x80:
            return v, i + k + 1
    raise ValueError("varint")


_INT = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _record(b: bytes) -> list:
    hsize, i = _varint(b, 0)
    types = []
    while i < hsize:
        t, i = _varint(b, i)
        types.append(t)
    if i != hsize:
        raise ValueError("record header")
    out, j = [], hsize
    for t in types:
        if t == 0:
            out.append(None)
        elif t in _INT:
            n = _INT[t]
            out.append(int.from_bytes(b[j:j + n], "big", signed=True))
            j += n
        elif t == 7:
            out.append(struct.unpack(">d", b[j:j + 8])[0])
            j += 8
        elif t in (8, 9):
            out.append(t - 8)
        elif t >= 12:
            n = (t - 12) // 2
            raw = b[j:j + n]
            out.append(raw.decode("utf-8") if t % 2 else raw)
            j += n
        else:
            raise ValueError("serial type")
    if j > len(b):
        raise ValueError("record runs past its payload")
    return out
