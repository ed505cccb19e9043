"""pullcoach: a local conversation coach. This package holds the I/O adapters and the CLI."""

import os

__version__ = "0.1.0"

# Nothing leaves this machine: onnxruntime (Silero VAD) 1.29+ uploads telemetry on Linux and
# macOS unless this is set before it starts (measured: without it, a device id and an event
# queue appear in ~/.cache/Microsoft/DeveloperTools). A user's own setting is left alone.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
# numpy's OpenBLAS starts a worker thread per core that spins while idle: 0.07-0.11 cores in
# every `bench` run, more than the event loop; our arrays are too small to share out
# (docs/measurements.md, 2026-12-06). Set before numpy loads; a user's own setting is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
