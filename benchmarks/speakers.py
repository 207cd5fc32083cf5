"""Who the most quoted speakers are in a build over all of ../shared/data's news.

Why: a speaker that is not a person or an organisation (`Many`, `报道`, `Ex-Bundestrainer Uwe
Krupp` beside `Uwe Krupp`) sends a fact-checker nowhere, and the most quoted ones are what a user
sees first. One build (the product's defaults, the attribution tagger on) over every news set of
the shared data: the seeds, GGT, PolNeAR train and dev, cross_outlet_dev, NTREX (10 languages) and
WMT22 (originals and their professional translations). The 100 speakers with the most quotes are
listed with their quote count, languages and a sample mention, for a reader to check; the ones a
simple check flags (opening with a word the news writes lowercase, `Some Democrats`; a single word
no other speaker's name ends with) are listed apart as ``suspects``, which a reader confirms or
clears.

    python benchmarks/speakers.py   # writes benchmarks/results/speakers.json
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

from common import DATA, report

import quotetrace
from quotetrace import corpus
from quotetrace.corpus.build import BuildOptions
from quotetrace.version import __version__

TOP = 100


def news_records() -> list[dict[str, Any]]:
    """Every news article of the shared data as a JSONL record (id, outlet, text)."""
    records = []
    for name in ("ggt", "polnear_train", "polnear_dev"):
        for path in sorted((DATA / "quotes" / name / "articles").iterdir()):
            records.append({"id": f"{name}/{path.name}", "outlet": name, "text": path.read_text(encoding="utf-8")})
    for line in (DATA / "quotes" / "cross_outlet_dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        records.append({"id": row["id"], "outlet": row["outlet"], "language": row["language"], "text": row["text"]})
    for line in (DATA / "parallel" / "ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines():
        document = json.loads(line)
        for language, sentences in document["sentences"].items():
            records.append({"id": f"{document['doc_id']}.{language}", "outlet": f"{document['outlet']}-{language}",
                            "text": "\n".join(sentences)})  # fmt: skip
    for path in sorted((DATA / "translations").glob("wmt22.*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            document = json.loads(line)
            versions = {"original": document["src"], **{f"ref-{k}": v for k, v in document["refs"].items()}}
            for outlet, segments in versions.items():
                records.append({"id": f"{path.stem}.{document['doc_id']}.{outlet}", "outlet": outlet,
                                "text": "\n".join(segments)})  # fmt: skip
    for path in sorted((DATA / "seeds").iterdir()):
        records.append({"id": f"seeds/{path.name}", "outlet": "seeds", "text": path.read_text(encoding="utf-8")})
    return records


def lowercase_words(texts: list[str]) -> frozenset[str]:
    """Words the texts write lowercase more often than capitalized (`some`, `former`, `does`): a
    speaker's name opening with one (`Some Democrats`, `Former Trump`) is a fragment of a sentence."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(re.findall(r"\b[^\W\d_][\w'-]*", text))
    return frozenset(w for w, n in counts.items() if w.islower() and n > counts.get(w.capitalize(), 0))


def suspect(name: str, surnames: set[str], common: frozenset[str]) -> str | None:
    """Why ``name`` may not name anyone, or None."""
    words = name.split()
    if not words:
        return "empty"
    if words[0][:1].islower():
        return "lowercase"
    if words[0].casefold() in common:
        return f"opens with `{words[0]}`, a word the news writes lowercase"
    if len(words) == 1 and name.isascii() and name.casefold() not in surnames and not name.isupper():
        return "a single word no full name ends with"
    return None


def main() -> None:
    records = news_records()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "news.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        started = time.perf_counter()
        built, _ = quotetrace.build([source], Path(tmp) / "snapshot", BuildOptions(), align=None)
        seconds = time.perf_counter() - started
        snapshot = corpus.open_snapshot(built.path)
        rows = snapshot.query(
            "select s.speaker_id, s.name, count(*) as quotes, string_agg(distinct q.language, ',') as languages, "
            "min(q.speaker_mention) as a_mention from quotes q join speakers s using (speaker_id) "
            f"group by s.speaker_id, s.name order by quotes desc, s.name limit {TOP}"
        ).to_pylist()
        names = snapshot.query("select name from speakers").column("name").to_pylist()
        described = snapshot.query("select count(*) as n from quotes where speaker is not null and speaker_id is null")
    surnames = {n.split()[-1].casefold() for n in names if len(n.split()) > 1}
    common = lowercase_words([r["text"] for r in records])
    top = [{**r, "suspect": suspect(r["name"], surnames, common)} for r in rows]
    report({
        "quotetrace_version": __version__,
        "articles": built.articles, "quotes": built.quotes, "tagged_quotes": built.tagged_quotes,
        "speakers": built.speakers, "quotes_with_a_description_only": described.column("n")[0].as_py(),
        "build_seconds": round(seconds, 1),
        "suspects_in_top": [f"{r['name']} ({r['suspect']}, {r['quotes']} quotes)" for r in top if r["suspect"]],
        "top": [f"{r['quotes']:>4} {r['name']} [{r['languages']}] e.g. {r['a_mention']!r}" for r in top],
    }, "speakers", write="--no-write" not in sys.argv)  # fmt: skip


if __name__ == "__main__":
    main()
