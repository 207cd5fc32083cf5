"""Recipe: regenerate the JSONL samples under ``examples/`` from ``../shared/data``.

Why: the shipped examples must be real articles whose provenance a reader can check, and a
maintainer must be able to rebuild them after the data changes. Two samples:

- ``ntrex_sample.jsonl``: the first two NTREX documents in their 10 languages, each language a
  different outlet; every non-English version is marked ``translated_from: en`` (NTREX was
  translated from English), so the report can show which way each translation went.
- ``wmt22_lavrov.jsonl``: WMT22's lenta.ru article quoting Sergei Lavrov, in the Russian original,
  the human reference translation and one machine translation (Online-B): one statement by one
  speaker in two languages, three outlets and two English wordings — what ``quotetrace report``
  shows side by side, with a word-level diff.

    python scripts/sample_examples.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
NTREX_LANGUAGES = ("eng", "rus", "ukr", "zho", "fra", "deu", "spa", "pol", "tur", "ita")
WMT_DOCUMENT = ("wmt22.ru-en.jsonl", "lenta.ru.89783")
WMT_SYSTEM = "Online-B"


def ntrex_sample(documents: int = 2) -> list[dict[str, Any]]:
    records = []
    for line in (DATA / "parallel" / "ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines()[:documents]:
        document = json.loads(line)
        for language in NTREX_LANGUAGES:
            record = {
                "id": f"{document['doc_id']}.{language}",
                "outlet": f"{document['outlet']}-{language}",
                "text": "\n".join(document["sentences"][language]),
            }
            if language != "eng":
                record["translated_from"] = "en"
            records.append(record)
    return records


def wmt_lavrov() -> list[dict[str, Any]]:
    name, doc_id = WMT_DOCUMENT
    lines = (DATA / "translations" / name).read_text(encoding="utf-8").splitlines()
    document = next(d for d in map(json.loads, lines) if d["doc_id"] == doc_id)
    original = {"id": doc_id, "outlet": "lenta.ru", "language": document["src_lang"]}
    original["text"] = "\n".join(document["src"])
    human = {"id": f"{doc_id}.ref-A", "outlet": "wmt22-ref-A", "text": "\n".join(document["refs"]["A"])}
    machine = {"id": f"{doc_id}.{WMT_SYSTEM}", "outlet": WMT_SYSTEM, "text": "\n".join(document["systems"][WMT_SYSTEM])}
    for translation in (human, machine):
        translation |= {"language": document["tgt_lang"], "translated_from": document["src_lang"]}
    return [original, human, machine]


def write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}: {len(records)} articles")


if __name__ == "__main__":
    write(ROOT / "examples" / "ntrex_sample.jsonl", ntrex_sample())
    write(ROOT / "examples" / "wmt22_lavrov.jsonl", wmt_lavrov())
