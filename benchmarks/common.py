"""What every benchmark shares: where the shared data lives and how figures are reported."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SHARED = Path(os.environ.get("QUOTETRACE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data"
RESULTS = Path(__file__).resolve().parent / "results"


def report(results: dict[str, Any], name: str, write: bool = True) -> None:
    """Print ``results`` and (unless ``write`` is false) commit them to ``results/NAME.json``."""
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def cpu() -> dict[str, Any]:
    """Which processor the figures come from: int8 runs slower, and rounds differently, without
    AVX-512 VNNI (AVX2's int8 multiply-add saturates)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), None)
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    return {"model": model, "avx2": "avx2" in flags, "avx512_vnni": "avx512_vnni" in flags}
