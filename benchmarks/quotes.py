"""Quote extraction and speaker attribution, measured against human annotation.

Why: quotes are what quotetrace traces; a missed quote cannot be traced, a wrong speaker sends
a fact-checker to the wrong person. Runs the product (``corpus.build_snapshot``) on:

- GGT: 97 Canadian news articles, 1,445 quotes with resolved speaker names
  (sfu-discourse-lab/GenderGapTracker @ 69d2932, MIT);
- PolNeAR dev: 84 US political articles, 2,192 attributions (networkdynamics/PolNeAR @ c3eee83),
  which also annotates non-speech attributions (beliefs, `The Post has learned`), so recall on
  its speech-verb cues is reported separately;
- PolNeAR train (840 articles) for speed only: the quote stage alone, one process.

Match rule (the Gender Gap Tracker's): a predicted quote matches a gold one when their token
overlap is at least 0.3 of the longer span; one-to-one, best overlap first. A quote quotetrace
joins across its attribution (`"We will not," he said, "accept it."`) counts as one prediction per
quoted part, as the gold annotates them. Speaker accuracy on
matched quotes: the predicted speaker equals the gold name or shares its surname (GGT's resolved
`speaker_name`; PolNeAR's mention as written).
Anchors: the Gender Gap Tracker's own extractor scores F1 0.837 and speaker accuracy 0.865 on GGT.

    python benchmarks/quotes.py             # writes benchmarks/results/quotes.json
    python benchmarks/quotes.py --no-tagger # the rules alone, no attribution tagger: results/quotes_rules.json
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
from common import SHARED, report

from quotetrace import corpus
from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.attribution.quotes import quote_table
from quotetrace.corpus.build import BuildOptions, process_batch
from quotetrace.corpus.lexicon import language_resources
from quotetrace.corpus.read import RAW_SCHEMA, read_file
from quotetrace.version import __version__

QUOTES = SHARED / "data" / "quotes"
MIN_OVERLAP = 0.3
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKEN.findall(text))


def overlap(a: Counter[str], b: Counter[str]) -> float:
    """Shared tokens over the longer span's length (GGT's measure)."""
    longer = max(sum(a.values()), sum(b.values()))
    return sum((a & b).values()) / longer if longer else 0.0


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if not predicted or not gold:
        return False
    p, g = predicted.casefold().split(), gold.casefold().split()
    return p == g or (bool(p) and bool(g) and p[-1].strip(".,'’s") == g[-1].strip(".,'’s"))


def match(predicted: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[tuple[dict, dict]]:
    """One-to-one pairs whose token overlap is ≥ MIN_OVERLAP, best overlap first."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            score = overlap(p["tokens"], g["tokens"])
            if score >= MIN_OVERLAP:
                candidates.append((score, i, j))
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((predicted[i], gold[j]))
    return pairs


def evaluate(name: str, speaker_field: str, options: BuildOptions | None = None) -> dict[str, Any]:
    root = QUOTES / name
    gold_docs = [json.loads(line) for line in (root / "gold.jsonl").read_text().splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        corpus.build_snapshot([root / "articles"], Path(tmp) / "snapshot", options or BuildOptions())
        build_seconds = time.perf_counter() - started
        snapshot = corpus.open_snapshot(Path(tmp) / "snapshot")
        article_of: dict[str, str] = {}
        for row in snapshot.query("select source, article_id from articles union all "
                                  "select source, article_id from duplicates").to_pylist():  # fmt: skip
            article_of[Path(row["source"]).name] = row["article_id"]
        texts = {
            r["article_id"]: r["text"] for r in snapshot.query("select article_id, text from articles").to_pylist()
        }
        predicted_by_article: dict[str, list[dict[str, Any]]] = {}
        for q in snapshot.table("quotes").to_pylist():
            # A quote split around its attribution is one quote in quotetrace and one per part in the
            # gold annotation: score it by its parts.
            for part in q["parts"]:
                text = texts[q["article_id"]][part["start"] : part["end"]]
                predicted_by_article.setdefault(q["article_id"], []).append({**q, "tokens": tokens(text)})
    speech_cues = {c.casefold() for c in language_resources("en").cue_pattern.pattern.split("|")}
    tp = n_pred = n_gold = speaker_right = 0
    speech_gold = speech_found = 0
    per_kind: Counter[str] = Counter()
    seen_articles = set()
    for doc in gold_docs:
        article_id = article_of[Path(doc["doc"]).name]
        if article_id in seen_articles:
            continue  # an exact duplicate article: its quotes are the kept article's
        seen_articles.add(article_id)
        gold = [{**g, "tokens": tokens(g["text"])} for g in doc["quotes"]]
        predicted = predicted_by_article.get(article_id, [])
        pairs = match(predicted, gold)
        tp += len(pairs)
        n_pred += len(predicted)
        n_gold += len(gold)
        speaker_right += sum(same_speaker(p["speaker"], g.get(speaker_field)) for p, g in pairs)
        per_kind.update(p["kind"] for p, _ in pairs)
        matched_gold = {id(g) for _, g in pairs}
        for g in gold:
            cue = (g.get("cue") or "").casefold().strip(" :")
            if cue and any(cue == c or cue.endswith(" " + c) for c in speech_cues if c and "\\" not in c):
                speech_gold += 1
                speech_found += id(g) in matched_gold
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return {
        "articles": len(seen_articles),
        "gold_quotes": n_gold,
        "predicted_quotes": n_pred,
        "matched": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if tp else 0.0,
        "speaker_accuracy": round(speaker_right / tp, 4) if tp else 0.0,
        "speech_cue_recall": round(speech_found / speech_gold, 4) if speech_gold else None,
        "speech_cue_gold": speech_gold,
        "matched_by_kind": dict(per_kind),
        "build_seconds": round(build_seconds, 1),
    }


def quote_stage_speed(name: str = "polnear_train") -> dict[str, Any]:
    """Articles per second of the quote stage alone (normalized articles in, quotes out), one process."""
    files = sorted((QUOTES / name / "articles").iterdir())
    rows = [row for path in files for row in read_file(path)]
    articles, *_ = process_batch(pa.Table.from_pylist(rows, schema=RAW_SCHEMA), BuildOptions(workers=1))
    started = time.perf_counter()
    quotes = quote_table(articles)
    seconds = time.perf_counter() - started
    return {"articles": articles.num_rows, "quotes": quotes.num_rows, "seconds": round(seconds, 2),
            "articles_per_second": round(articles.num_rows / seconds, 1)}  # fmt: skip


def main() -> None:
    """``--no-tagger``: the same with the rules alone, into results/quotes_rules.json."""
    tagger = "--no-tagger" not in sys.argv
    options = BuildOptions(tagger=TaggerOptions(enabled=tagger))
    results: dict[str, Any] = {
        "quotetrace_version": __version__,
        "match_rule": f"token overlap ≥ {MIN_OVERLAP} of the longer span, one-to-one",
        "speaker_rule": "equal to the gold name or sharing its surname",
        "anchors": {"ggt": {"f1": 0.837, "speaker_accuracy": 0.865, "source": "Gender Gap Tracker extractor"}},
        "tagger": tagger,
        "ggt": evaluate("ggt", "speaker_name", options),
        "polnear_dev": evaluate("polnear_dev", "speaker", options),
    }
    if "--no-speed" not in sys.argv and tagger:
        results["speed_polnear_train"] = quote_stage_speed()
    report(results, "quotes" if tagger else "quotes_rules", write="--no-write" not in sys.argv)


if __name__ == "__main__":
    main()
