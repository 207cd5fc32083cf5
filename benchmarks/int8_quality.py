"""int8 against fp32 on every quality figure: may the int8 encoder be the default?

Why: ``--precision int8`` runs the default model a third faster on the CPU (``throughput.py``),
but the tagger reads its states and the links its vectors. Issue 23 lets int8 be the default only
if Tatoeba stays within 0.5 points of fp32 (``tatoeba.py``) and every quality figure of the
real-news work moves by less than 0.01. This runs the quality benchmarks' own functions twice, once
per precision, in one run, and prints each figure's difference:

- quotes: GGT and PolNeAR dev F1 and speaker accuracy (``quotes.py``);
- quote links: cross_outlet_dev by the shared scorer, NTREX and WMT22 same-statement F1
  (``align_quotes.py``);
- translations: NTREX and WMT22 article-link accuracy and sentence-pair F1 (``translations.py``).

int8 rounds differently on a CPU without AVX-512 VNNI: the CPU is recorded, and ``tatoeba.py``
must be run on the same machine for the other half of the gate.

    python benchmarks/int8_quality.py [--no-write]   # writes benchmarks/results/int8_quality.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import align_quotes
import quotes
import translations
from common import cpu, report

from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.build import BuildOptions
from quotetrace.encoder import load_encoder
from quotetrace.version import __version__

TOLERANCE = 0.01
WMT_DOCUMENTS = 12


def figures(precision: str, workdir: Path) -> dict[str, float]:
    """Every quality figure of one precision, flat: ``set.figure`` -> value."""
    encoder = load_encoder(precision=precision)
    options = BuildOptions(tagger=TaggerOptions(precision=precision))
    found: dict[str, float] = {}
    for name, field in (("ggt", "speaker_name"), ("polnear_dev", "speaker")):
        result = quotes.evaluate(name, field, options)
        found |= {f"quotes.{name}.f1": result["f1"], f"quotes.{name}.speaker_accuracy": result["speaker_accuracy"]}
    runs = {
        "cross_outlet_dev": lambda w: align_quotes.cross_outlet(w, encoder, True),
        "ntrex": lambda w: align_quotes.ntrex(w, encoder, True),
        "wmt22": lambda w: align_quotes.wmt(w, encoder, WMT_DOCUMENTS, True),
    }
    for name, run in runs.items():
        (workdir / f"links-{name}").mkdir()
        result = run(workdir / f"links-{name}")
        if name == "cross_outlet_dev":
            shared = result["shared_eval"]
            found["links.cross_outlet_dev.gold_quote_recall"] = shared["gold_quote_recall"]
            found["links.cross_outlet_dev.same_statement_f1"] = shared["same_statement"]["f1"]
        else:
            found[f"links.{name}.f1"] = result["f1"]
    wmt = translations.wmt_records(15)
    for name, (records, versions) in (("ntrex", translations.ntrex_records()), ("wmt22", wmt)):
        (workdir / f"translations-{name}").mkdir()
        result = translations.evaluate(translations.build(records, workdir / f"translations-{name}", encoder), versions)
        found[f"translations.{name}.article_link_accuracy"] = result["article_link_accuracy"]
        found[f"translations.{name}.sentence_pair_f1"] = result["sentence_pairs"]["f1"]
    return {key: round(float(value), 4) for key, value in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"quotetrace_version": __version__, "tolerance": TOLERANCE, "cpu": cpu()}
    with tempfile.TemporaryDirectory() as tmp:
        for precision in ("fp32", "int8"):
            started = time.perf_counter()
            (Path(tmp) / precision).mkdir()
            results[precision] = figures(precision, Path(tmp) / precision)
            results[f"{precision}_seconds"] = round(time.perf_counter() - started, 1)
            print(precision, json.dumps(results[precision]), flush=True)
    moved = {key: round(results["int8"][key] - value, 4) for key, value in results["fp32"].items()}
    results["int8_minus_fp32"] = moved
    results["within_tolerance"] = all(abs(change) < TOLERANCE for change in moved.values())
    report(results, "int8_quality", write=not args.no_write)


if __name__ == "__main__":
    main()
