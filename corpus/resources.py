"""Loading the curated language resources in ``corpus/data/`` (one JSON file per kind)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``corpus/data/NAME.json``, without its ``_doc`` entry."""
    text = resources.files("quotetrace.corpus").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("_doc", None)
    return data
