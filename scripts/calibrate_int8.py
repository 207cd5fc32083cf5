"""Measure how loud each input channel of every matmul of the default model runs, for int8 smoothing.

    python scripts/calibrate_int8.py

The int8 encoder (``encoder/int8.py``) scales each matmul's hot input channels down, and its weights
up by as much, before quantizing (SmoothQuant). The scales need the largest absolute value each
channel takes on real text: the float model is run over sentences of PolNeAR train (the project's
training split: the first 300 articles in file-name order, sentences of 20 characters or more, at
most 3,000), with a hook on the input of every linear layer. Nothing random; the same on every run.
Writes encoder/int8_calibration.npz (float16, about 70 KB): per layer, ``layer.N.qkv`` (the input
of query, key and value), ``layer.N.ao``, ``layer.N.fi``, ``layer.N.fo``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from quotetrace.encoder import load_encoder
from quotetrace.encoder.int8 import CALIBRATION

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ARTICLES, SENTENCES = 300, 3000
KEYS = {"attention.self.query": "qkv", "attention.output.dense": "ao", "intermediate.dense": "fi",
        "output.dense": "fo"}  # fmt: skip


def sentences() -> list[str]:
    found: list[str] = []
    for path in sorted((SHARED / "quotes" / "polnear_train" / "articles").glob("*.txt"))[:ARTICLES]:
        for paragraph in path.read_text(encoding="utf-8").splitlines():
            found += [s for s in re.split(r"(?<=[.!?])\s+", paragraph.strip()) if len(s) >= 20]
    return found[:SENTENCES]


def main() -> None:
    encoder = load_encoder(device="cpu")
    model = encoder.model[0].auto_model  # type: ignore[attr-defined]
    maxima: dict[str, torch.Tensor] = {}

    def hook(key: str):
        def record(module: torch.nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            peak = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
            maxima[key] = torch.maximum(maxima[key], peak) if key in maxima else peak

        return record

    for name, module in model.named_modules():
        parts = name.split(".")
        if isinstance(module, torch.nn.Linear) and parts[0] == "encoder":
            suffix = ".".join(parts[3:])
            if suffix in KEYS:
                module.register_forward_pre_hook(hook(f"layer.{parts[2]}.{KEYS[suffix]}"))
    texts = sentences()
    encoder.encode(texts)
    np.savez_compressed(CALIBRATION, **{key: value.numpy().astype(np.float16) for key, value in sorted(maxima.items())})
    print(f"wrote {CALIBRATION} ({CALIBRATION.stat().st_size // 1024} KB) from {len(texts)} PolNeAR train sentences")


if __name__ == "__main__":
    main()
