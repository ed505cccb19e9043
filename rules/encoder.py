"""English utterance labels from a small fine-tuned sentence encoder, next to the word model.

all-MiniLM-L6-v2 (6 layers, 384 wide) fine-tuned on the development part of AnnoMI by
``scripts/train_encoder.py``: it reads the client's last utterance and the therapist's
reply as one pair, so it sees what a reflection reflects (an encoder trained with
``--own-words N`` also reads the end of the therapist's own previous utterance). It ships int8 for CTranslate2
(already installed for faster-whisper) in ``packs/en_encoder/``; a label takes ~3 ms on
one CPU thread. ``load_encoder`` returns None when the folder or CTranslate2 is missing,
and the labeller falls back to the word model alone.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

__all__ = ["EncoderModel", "load_encoder", "load_tokenizer", "pair", "MAX_TOKENS", "PREV_WORDS"]

MAX_TOKENS = 160  # the pair, in word pieces; the longer side is cut first
PREV_WORDS = 40   # the end of the client's utterance: what a reflection answers


def pair(text: str, prev: str, own: str = "", own_words: int = 0) -> tuple[str, str]:
    """The (context, utterance) pair the encoder reads, in training and live alike; with
    ``own_words``: "<end of own previous turn> | <end of client turn>"."""
    ctx = " ".join(prev.split()[-PREV_WORDS:])
    if own_words and own.strip():
        ctx = " ".join(own.split()[-own_words:]) + " | " + ctx
    return ctx, text


def load_tokenizer(path: str | Path):
    """The word-piece tokenizer as the encoder reads it: unpadded, the pair cut to MAX_TOKENS."""
    import tokenizers

    tok = tokenizers.Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    return tok


class EncoderModel:
    def __init__(self, path: str | Path, threads: int = 1) -> None:
        import ctranslate2
        import numpy as np

        self.path = path = Path(path)
        self._np = np
        self.tok = load_tokenizer(path)
        self.encoder = ctranslate2.Encoder(str(path), device="cpu", intra_threads=threads)
        head = json.loads((path / "head.json").read_text("utf-8"))
        self.heads: list[str] = head["heads"]
        self.weight = np.asarray(head["weight"], dtype=np.float32)  # heads x hidden
        self.bias = np.asarray(head["bias"], dtype=np.float32)
        self.meta: dict = head.get("meta", {})
        # > 0: trained to read the end of the speaker's own previous turn too
        self.own_words = int(self.meta.get("own_words", 0))

    def probs(self, text: str, prev: str = "", own: str = "") -> dict[str, float]:
        """One probability per head: mean of the last layer over the pair's word pieces."""
        e = self.tok.encode(*pair(text, prev, own, self.own_words))
        out = self.encoder.forward_batch([e.tokens], token_type_ids=[e.type_ids])
        h = self._np.asarray(out.last_hidden_state)[0]
        z = self.weight @ h.mean(axis=0) + self.bias
        return {name: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, float(v))))) for name, v in zip(self.heads, z)}


@lru_cache(maxsize=2)
def load_encoder(path: str | None = None) -> EncoderModel | None:
    """The packaged encoder (one per process), or None if it or CTranslate2 is missing."""
    folder = Path(path) if path else Path(__file__).parent / "packs" / "en_encoder"
    if not (folder / "model.bin").is_file():
        return None
    try:
        return EncoderModel(folder)
    except ImportError:
        return None
