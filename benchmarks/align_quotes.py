"""Quote links, measured: does quotetrace link the same statement across outlets and languages,
and nothing else?

Why: a wrong `same_statement` link tells a fact-checker two people said one thing; a missed one
hides where a quote travelled. Runs the full pipeline (``quotetrace.build``) on:

- NTREX (``parallel/ntrex_docs.jsonl``): each document in each of 10 languages is an article of
  its own outlet. Gold: two quotes in two languages of one document whose spans cover the same
  sentence index.
- WMT22 (``translations/wmt22.*.jsonl``, first ``--wmt-docs`` documents of each file): the
  original, the human reference and each machine-translation system are outlets re-publishing one
  text in several wordings. Gold: quotes of two versions of a document covering the same segment.
- cross_outlet_dev (``quotes/cross_outlet_dev/``): 66 real article pairs, each on one story,
  hand-labelled same-statement and related links with hard negatives. A predicted quote stands
  for a gold one when their token overlap is ≥ 0.3 of the longer (the quotes benchmark's rule).
  The same snapshot is also scored by the project's shared scorer (``shared/eval/cross_outlet.py``,
  the definitions of the held-out check: gold-quote recall, links across stories), under
  ``cross_outlet_dev.shared_eval``; only the `related` threshold differs from a default build, so
  its same_statement links are a default build's. The link model that decides them is fitted on
  this set by ``scripts/fit_links.py``, whose leave-pair-out figures are in
  ``results/link_model.json``: the figures here are the fitted model's on its own data.

- cross_outlet_mixed (``--sets cross_outlet_mixed``, a quarter of an hour): cross_outlet_dev built
  inside all of the shared news (GGT, PolNeAR dev, NTREX, WMT22), scored by the shared scorer;
  margins depend on the neighbours, so its figures should match cross_outlet_dev's alone.

Precision, recall and F1 of `same_statement` links as the build decides them; `any_link`: every
candidate pair kept with its probability, against all gold links at the model's `related`
threshold. On NTREX and WMT22, also the share of gold pairs (a quote and its rendering in another
version) whose two quotes carry one ``speaker_id``.

    python benchmarks/align_quotes.py [--sets ntrex ...] [--no-tagger] [--no-write]
    # writes results/align_quotes.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from common import DATA, RESULTS, SHARED, report
from quotes import overlap, tokens

import quotetrace
from quotetrace import corpus
from quotetrace.align.link import LinkOptions
from quotetrace.align.link_model import shipped_link_model
from quotetrace.align.stage import AlignOptions
from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.build import BuildOptions
from quotetrace.corpus.normalize import clean_text
from quotetrace.encoder import load_encoder
from quotetrace.version import __version__

SETS = ("cross_outlet_dev", "ntrex", "wmt22", "cross_outlet_mixed")
DEFAULT_SETS = SETS[:3]  # the mixed build takes a quarter of an hour
NTREX_LANGUAGES = ("eng", "rus", "ukr", "zho", "fra", "deu", "spa", "pol", "tur", "ita")
_LINKS_SQL = """
select l.quote_id_a, l.quote_id_b, l.score, l.margin, l.cosine, l.same_speaker, l.relation, l.probability,
       qa.article_id as article_a, qb.article_id as article_b, a.external_id as external_a, b.external_id as external_b
from quote_links l
join quotes qa on qa.quote_id = l.quote_id_a join articles a on a.article_id = qa.article_id
join quotes qb on qb.quote_id = l.quote_id_b join articles b on b.article_id = qb.article_id
"""


def run(records: list[dict[str, Any]], workdir: Path, encoder: Any, tagger: bool) -> corpus.Snapshot:
    """Build and align ``records`` (JSONL articles) with every candidate pair kept as a link."""
    source = workdir / "articles.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    precision = getattr(encoder, "precision", "fp32")  # the tagger and the manifest in the encoder's
    keep_all = AlignOptions(link=replace(LinkOptions(), related=-1.0), precision=precision)
    options = BuildOptions(tagger=TaggerOptions(enabled=tagger, precision=precision))
    quotetrace.build([source], workdir / "snapshot", options, align=keep_all, encoder=encoder)
    return corpus.open_snapshot(workdir / "snapshot")


def scores_at(predicted: list[tuple[float, bool]], gold_count: int, threshold: float) -> dict[str, float]:
    """Precision, recall, F1 of the pairs scoring ≥ threshold (each flagged right or wrong)."""
    chosen = [right for score, right in predicted if score >= threshold]
    tp = sum(chosen)
    precision = tp / len(chosen) if chosen else 0.0
    recall = tp / gold_count if gold_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "links": len(chosen)}


def covered_segments(opening: str, segments: list[str]) -> frozenset[int]:
    """Indices of the segments holding a quote's opening words (the article's text from the
    quote's start: a quote in parts is not one run of the text). The segments are compared as the
    pipeline normalizes them (``clean_text``: no-break spaces become spaces, mojibake is
    repaired), or a quote in `w\xa0Europie` is found nowhere."""
    cleaned = _cleaned(tuple(segments))
    for length in (40, 15):
        found = frozenset(i for i, segment in enumerate(cleaned) if opening[:length] in segment)
        if found:
            return found
    return frozenset()


@lru_cache(maxsize=4096)
def _cleaned(segments: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(clean_text(segment) for segment in segments)


def parallel_gold(snapshot: corpus.Snapshot, segments_of: dict[str, list[str]], document_of: dict[str, str]) -> Any:
    """Gold pairs: quotes in different articles of one document covering a common segment index."""
    rows = snapshot.query(
        "select q.quote_id, q.article_id, q.start, a.text as article_text, a.external_id "
        "from quotes q join articles a using (article_id)"
    )
    by_document: dict[str, list[tuple[str, str, frozenset[int]]]] = {}
    for q in rows.to_pylist():
        opening = q["article_text"][q["start"] : q["start"] + 40].split("\n", 1)[0]  # a segment is a line
        covered = covered_segments(opening, segments_of[q["external_id"]])
        by_document.setdefault(document_of[q["external_id"]], []).append((q["quote_id"], q["article_id"], covered))
    gold = set()
    for members in by_document.values():
        for i, (a, article_a, covered_a) in enumerate(members):
            for b, article_b, covered_b in members[i + 1 :]:
                if article_a != article_b and covered_a & covered_b:
                    gold.add((min(a, b), max(a, b)))
    return gold


def evaluate_parallel(snapshot: corpus.Snapshot, gold: set[tuple[str, str]]) -> dict[str, Any]:
    """Same-statement links scored against ``gold``, and how often a quote and its rendering in
    another language carry one ``speaker_id`` (a null on either side counts as not shared)."""
    links = snapshot.query(_LINKS_SQL).to_pylist()
    predicted = [(float(r["relation"] == "same_statement"), (r["quote_id_a"], r["quote_id_b"]) in gold) for r in links]
    ids = snapshot.query("select quote_id, speaker_id from quotes").to_pydict()
    speaker_of = dict(zip(ids["quote_id"], ids["speaker_id"], strict=True))
    shared = sum(speaker_of[a] is not None and speaker_of[a] == speaker_of[b] for a, b in gold)
    named = [(a, b) for a, b in gold if speaker_of[a] is not None or speaker_of[b] is not None]
    return {"quotes": snapshot.manifest["tables"]["quotes"]["rows"], "gold_pairs": len(gold),
            **scores_at(predicted, len(gold), 1.0),
            "gold_pairs_sharing_speaker_id": round(shared / len(gold), 4) if gold else None,
            # a description (`Des sources`, `an expert`) has no speaker_id by design: of the pairs
            # where either side names someone, how many name the same speaker
            "gold_pairs_with_a_named_speaker": len(named),
            "named_pairs_sharing_speaker_id": round(shared / len(named), 4) if named else None}  # fmt: skip


Records = tuple[list[dict[str, Any]], dict[str, list[str]], dict[str, str]]  # articles, segments, documents


def ntrex_records() -> Records:
    documents = [json.loads(line) for line in (DATA / "parallel" / "ntrex_docs.jsonl").read_text().splitlines()]
    records, segments_of, document_of = [], {}, {}
    for document in documents:
        for language in NTREX_LANGUAGES:
            external = f"{document['doc_id']}.{language}"
            sentences = document["sentences"][language]
            records.append({"id": external, "outlet": f"{document['outlet']}-{language}", "text": "\n".join(sentences)})
            segments_of[external], document_of[external] = sentences, document["doc_id"]
    return records, segments_of, document_of


def ntrex(workdir: Path, encoder: Any, tagger: bool) -> dict[str, Any]:
    records, segments_of, document_of = ntrex_records()
    snapshot = run(records, workdir, encoder, tagger)
    return {
        "articles": len(records),
        **evaluate_parallel(snapshot, parallel_gold(snapshot, segments_of, document_of)),
    }


def wmt_records(documents_per_file: int) -> Records:
    records, segments_of, document_of = [], {}, {}
    for path in sorted((DATA / "translations").glob("wmt22.*.jsonl")):
        for line in path.read_text().splitlines()[:documents_per_file]:
            document = json.loads(line)
            doc_key = f"{path.stem}.{document['doc_id']}"
            versions = {"original": (document["src"], document["src_lang"])}
            versions |= {f"ref-{name}": (seg, document["tgt_lang"]) for name, seg in document["refs"].items()}
            versions |= {name: (seg, document["tgt_lang"]) for name, seg in document["systems"].items()}
            for outlet, (segments, _) in versions.items():
                external = f"{doc_key}.{outlet}"
                records.append({"id": external, "outlet": outlet, "text": "\n".join(segments)})
                segments_of[external], document_of[external] = segments, doc_key
    return records, segments_of, document_of


def wmt(workdir: Path, encoder: Any, documents_per_file: int, tagger: bool) -> dict[str, Any]:
    records, segments_of, document_of = wmt_records(documents_per_file)
    snapshot = run(records, workdir, encoder, tagger)
    return {
        "articles": len(records),
        **evaluate_parallel(snapshot, parallel_gold(snapshot, segments_of, document_of)),
    }


def cross_outlet_mixed(workdir: Path, encoder: Any, documents_per_file: int, tagger: bool) -> dict[str, Any]:
    """cross_outlet_dev inside all of the shared news (GGT, PolNeAR dev, NTREX, WMT22): margins
    depend on the neighbours, so its figures must hold in a corpus that is mostly other stories."""
    root = DATA / "quotes" / "cross_outlet_dev"
    records = [
        {k: r[k] for k in ("id", "outlet", "language", "text")}
        for r in map(json.loads, (root / "articles.jsonl").read_text().splitlines())
    ]
    for name in ("ggt", "polnear_dev"):
        for path in sorted((DATA / "quotes" / name / "articles").glob("*.txt")):
            records.append({"id": f"{name}/{path.stem}", "text": path.read_text(encoding="utf-8")})
    records += ntrex_records()[0] + wmt_records(documents_per_file)[0]
    snapshot = run(records, workdir, encoder, tagger)
    # what `quotetrace duplicates` prints first, for a reader to check: one speaker, one story each
    clusters = [
        {"speaker": g.speaker, "probability": g.probability and round(g.probability, 3), "story": g.story,
         "outlets": len(g.outlets), "languages": g.languages, "wordings": [v.text[:160] for v in g.variants[:4]]}
        for g in quotetrace.cross_outlet_duplicates(snapshot.path)[:20]
    ]  # fmt: skip
    return {"articles": len(records), "shared_eval": shared_score(snapshot.path), "first_clusters": clusters}


def cross_outlet(workdir: Path, encoder: Any, tagger: bool) -> dict[str, Any]:
    root = DATA / "quotes" / "cross_outlet_dev"
    records = [json.loads(line) for line in (root / "articles.jsonl").read_text().splitlines()]
    gold_pairs = [json.loads(line) for line in (root / "gold.jsonl").read_text().splitlines()]
    chosen = [{k: r[k] for k in ("id", "outlet", "language", "text")} for r in records]
    snapshot = run(chosen, workdir, encoder, tagger)
    external = {
        r["article_id"]: r["external_id"]
        for r in snapshot.query("select article_id, external_id from articles").to_pylist()
    }
    quotes = {
        q["quote_id"]: {**q, "tokens": tokens(q["text"])}
        for q in snapshot.query("select quote_id, article_id, text from quotes").to_pylist()
    }

    def stands_for(quote_id: str, text: str) -> bool:
        return overlap(quotes[quote_id]["tokens"], tokens(text)) >= 0.3

    labelled: dict[str, list[dict[str, Any]]] = {g["pair_id"]: g["links"] for g in gold_pairs}
    same_gold = sum(link["same"] == "same_statement" for links in labelled.values() for link in links)
    any_gold = sum(len(links) for links in labelled.values())
    judged: list[tuple[float, str | None]] = []  # (score, gold relation it hits or None)
    hit: dict[tuple[str, int], float] = {}
    for row in snapshot.query(_LINKS_SQL).to_pylist():
        ext_a, ext_b = external[row["article_a"]], external[row["article_b"]]
        pair_a, pair_b = ext_a.rsplit(".", 1)[0], ext_b.rsplit(".", 1)[0]
        relation = None
        if pair_a == pair_b:
            first, second = (
                (row["quote_id_a"], row["quote_id_b"])
                if ext_a.endswith(".1")
                else (row["quote_id_b"], row["quote_id_a"])
            )
            for index, link in enumerate(labelled.get(pair_a, [])):
                if stands_for(first, link["quote1"]) and stands_for(second, link["quote2"]):
                    relation = link["same"]
                    key = (pair_a, index)
                    hit[key] = max(hit.get(key, -1.0), row["score"])
                    break
        judged.append((float(row["relation"] == "same_statement"), row["probability"], relation))
    same = [(decided, r == "same_statement") for decided, _, r in judged]
    linked = [(probability, r is not None) for _, probability, r in judged]
    result = {
        "pairs": len(gold_pairs), "gold_same_statement": same_gold, "gold_links": any_gold,
        "same_statement": scores_at(same, same_gold, 1.0),
        "any_link": scores_at(linked, any_gold, shipped_link_model().related),
        "gold_links_with_both_quotes_extracted_and_paired": len(hit),
        "shared_eval": shared_score(snapshot.path),
    }  # fmt: skip
    return result


def shared_score(snapshot: Path) -> dict[str, Any]:
    """The shared scorer's figures for a build of cross_outlet_dev (``shared/eval/cross_outlet.py``)."""
    spec = importlib.util.spec_from_file_location("cross_outlet_eval", SHARED / "eval" / "cross_outlet.py")
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    figures: dict[str, Any] = scorer.score(snapshot)
    figures["gold_quote_recall"] = round(figures["gold_quote_recall"], 4)
    figures["same_statement"] |= {k: round(figures["same_statement"][k], 4) for k in ("precision", "recall", "f1")}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wmt-docs", type=int, default=12, help="documents per WMT22 file")
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=SETS,
        default=list(DEFAULT_SETS),
        help="sets to run; the others keep their figures",
    )
    parser.add_argument(
        "--no-tagger", action="store_true", help="without the attribution tagger (the rules alone): SET_without_tagger"
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    encoder = load_encoder()
    tagger = not args.no_tagger
    suffix = "" if tagger else "_without_tagger"
    previous = RESULTS / "align_quotes.json"
    results: dict[str, Any] = json.loads(previous.read_text()) if previous.exists() else {}
    results = {k: v for k, v in results.items() if not k.endswith("_with_tagger")}  # the tagger is the default now
    results.update({"quotetrace_version": __version__, "model": encoder.name})
    with tempfile.TemporaryDirectory() as tmp:
        for name in [s for s in SETS if s in args.sets]:  # calibration first, then the sets it scores
            started = time.perf_counter()
            workdir = Path(tmp) / name
            workdir.mkdir()
            key = name + suffix
            if name == "cross_outlet_dev":
                results[key] = cross_outlet(workdir, encoder, tagger)
                results["thresholds"] = shipped_link_model().about() | {"from": "align/link_model.json"}
            elif name == "ntrex":
                results[key] = ntrex(workdir, encoder, tagger)
            elif name == "wmt22":
                results[key] = wmt(workdir, encoder, args.wmt_docs, tagger)
            else:
                results[key] = cross_outlet_mixed(workdir, encoder, args.wmt_docs, tagger)
            results[key]["seconds"] = round(time.perf_counter() - started, 1)
            print(key, json.dumps(results[key]), flush=True)
    report(results, "align_quotes", write=not args.no_write)


if __name__ == "__main__":
    main()
