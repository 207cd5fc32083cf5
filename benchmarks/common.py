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
