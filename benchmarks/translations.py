"""Translation alignment, measured: is every translation linked to its original and nothing else,
and are its sentences aligned with the original's?

Why: a fact-checker follows a quote back through translations to the first wording; a wrong link
sends them to the wrong source, a wrong sentence pair to the wrong words. Runs the full pipeline
(``quotetrace.build``) on:

- NTREX (``parallel/ntrex_docs.jsonl``): each document in English (the original) and nine
  professional translations, each language its own outlet; the translations carry
  ``translated_from: en`` as a feed's metadata would.
- WMT22 (``translations/wmt22.*.jsonl``, first ``--wmt-docs`` documents of each file): the
  original, the human references and every machine-translation system, each an outlet, the
  translations marked ``translated_from`` the source language.

Figures:
- article-link accuracy: a translation counts as right when its translation/copy links go to its
  original and only there, with the direction pointing at the original, and no link of any kind
  goes to another document. Sibling translations of one original linked as ``same_story`` are
  true and allowed; they are counted.
- sentence alignment of each linked original–translation pair against the gold segment
  correspondence (sentence i and j correspond when their segments do): pair-level precision,
  recall and F1 over aligned sentence pairs, and strict F1 over groups (a group is right when it
  is exactly a gold segment's sentences on both sides).
- time per document pair: the sentence alignment of one pair, from stored vectors.

    python benchmarks/translations.py [--wmt-docs 15] [--no-write]   # writes benchmarks/results/translations.json
"""

from __future__ import annotations

import argparse
import difflib
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import DATA, report

import quotetrace
from quotetrace import corpus
from quotetrace.align.embed import vector_matrix
from quotetrace.align.sentence_align import align_sentences
from quotetrace.align.stage import AlignOptions
from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.build import BuildOptions
from quotetrace.encoder import load_encoder
from quotetrace.version import __version__

NTREX_LANGUAGES = {
    "eng": "en", "rus": "ru", "ukr": "uk", "zho": "zh", "fra": "fr", "deu": "de", "spa": "es", "pol": "pl",
    "tur": "tr", "ita": "it",
}  # fmt: skip


class Version:
    """One article of the benchmark: its document, whether it is the original, its segments."""

    def __init__(self, document: str, original: bool, segments: list[str]) -> None:
        self.document, self.original, self.segments = document, original, segments


def ntrex_records() -> tuple[list[dict[str, Any]], dict[str, Version]]:
    records, versions = [], {}
    for line in (DATA / "parallel" / "ntrex_docs.jsonl").read_text().splitlines():
        document = json.loads(line)
        for language, _code in NTREX_LANGUAGES.items():
            external = f"{document['doc_id']}.{language}"
            segments = document["sentences"][language]
            record = {"id": external, "outlet": f"{document['outlet']}-{language}", "text": "\n".join(segments)}
            if language != "eng":
                record["translated_from"] = "en"
            records.append(record)
            versions[external] = Version(document["doc_id"], language == "eng", segments)
    return records, versions


def wmt_records(documents_per_file: int) -> tuple[list[dict[str, Any]], dict[str, Version]]:
    records, versions = [], {}
    for path in sorted((DATA / "translations").glob("wmt22.*.jsonl")):
        for line in path.read_text().splitlines()[:documents_per_file]:
            document = json.loads(line)
            key = f"{path.stem}.{document['doc_id']}"
            outlets = {"original": document["src"]}
            outlets |= {f"ref-{name}": segments for name, segments in document["refs"].items()}
            outlets |= document["systems"]
            for outlet, segments in outlets.items():
                external = f"{key}.{outlet}"
                record = {"id": external, "outlet": outlet, "text": "\n".join(segments)}
                if outlet != "original":
                    record["translated_from"] = document["src_lang"]
                records.append(record)
                versions[external] = Version(key, outlet == "original", segments)
    return records, versions


def build(records: list[dict[str, Any]], workdir: Path, encoder: Any) -> corpus.Snapshot:
    source = workdir / "articles.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    precision = getattr(encoder, "precision", "fp32")  # the tagger and the manifest in the encoder's
    options = BuildOptions(tagger=TaggerOptions(precision=precision))
    quotetrace.build([source], workdir / "snapshot", options, align=AlignOptions(precision=precision), encoder=encoder)
    return corpus.open_snapshot(workdir / "snapshot")


def segment_of_sentences(snapshot: corpus.Snapshot, versions: dict[str, Version]) -> dict[str, list[int | None]]:
    """For each article, the gold segment of each of its sentences (None where normalization set
    the segment aside or changed it beyond recognition)."""
    external = _external_ids(snapshot)
    paragraphs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in snapshot.query(
        'select article_id, "index", text, start, "end" from paragraphs order by 1, 2'
    ).to_pylist():
        paragraphs[row["article_id"]].append(row)
    result: dict[str, list[int | None]] = {}
    sentences = snapshot.query('select article_id, "index", start from sentences order by 1, 2').to_pylist()
    by_article: dict[str, list[int]] = defaultdict(list)
    for row in sentences:
        by_article[row["article_id"]].append(row["start"])
    for article_id, starts in by_article.items():
        segments = versions[external[article_id]].segments
        segment_of_paragraph, cursor = [], 0
        for paragraph in paragraphs[article_id]:  # paragraphs are the segments, in order, some set aside
            found = _matching_segment(paragraph["text"], segments, cursor)
            segment_of_paragraph.append(found)
            cursor = found + 1 if found is not None else cursor
        result[article_id] = [
            next(
                (
                    segment_of_paragraph[p]
                    for p, par in enumerate(paragraphs[article_id])
                    if par["start"] <= s < par["end"]
                ),
                None,
            )
            for s in starts
        ]
    return result


def _matching_segment(paragraph: str, segments: list[str], cursor: int, lookahead: int = 4) -> int | None:
    """The segment a paragraph came from: the most similar of the next few (normalization fixes
    quotes, spaces and mojibake, so texts rarely match exactly)."""
    best, best_ratio = None, 0.6
    for k in range(cursor, min(len(segments), cursor + lookahead)):
        ratio = difflib.SequenceMatcher(None, paragraph, segments[k].strip(), autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = k, ratio
    return best


def evaluate(snapshot: corpus.Snapshot, versions: dict[str, Version]) -> dict[str, Any]:
    articles = _external_ids(snapshot)
    document = {a: versions[e].document for a, e in articles.items()}
    originals = {versions[e].document: a for a, e in articles.items() if versions[e].original}
    links = snapshot.query("select * from article_links").to_pylist()
    derived_links: dict[str, list[tuple[str, str | None]]] = defaultdict(list)  # article → (other, its role)
    cross_document, siblings = 0, 0
    for link in links:
        a, b = link["article_id_a"], link["article_id_b"]
        if document[a] != document[b]:
            cross_document += 1
            derived_links[a].append((b, "wrong"))
            derived_links[b].append((a, "wrong"))
            continue
        if link["relation"] == "same_story":
            siblings += 1
            continue
        original_side = {"a_to_b": a, "b_to_a": b}.get(link["direction"] or "")
        derived_links[a].append((b, "original" if original_side == b else "other"))
        derived_links[b].append((a, "original" if original_side == a else "other"))
    translations = [a for a, e in articles.items() if not versions[e].original]
    right = 0
    for article in translations:
        found = derived_links.get(article, [])
        right += found == [(originals.get(document[article]), "original")]
    segments = segment_of_sentences(snapshot, versions)
    groups: dict[tuple[str, str], list[tuple[list[int], list[int]]]] = defaultdict(list)
    for row in snapshot.query("select * from sentence_links").to_pylist():
        groups[(row["article_id_a"], row["article_id_b"])].append((row["sentences_a"], row["sentences_b"]))
    tp = predicted = gold_total = 0
    strict_right = strict_predicted = strict_gold = 0
    for (a, b), aligned in groups.items():
        if document[a] != document[b] or not ({a, b} & set(originals.values())):
            continue  # scored: original–translation pairs of one document
        seg_a, seg_b = segments[a], segments[b]
        gold = {(i, j) for i, s in enumerate(seg_a) for j, t in enumerate(seg_b) if s is not None and s == t}
        pairs = {(i, j) for ia, ib in aligned for i in ia for j in ib}
        tp += len(pairs & gold)
        predicted += len(pairs)
        gold_total += len(gold)
        gold_groups = defaultdict(lambda: (set(), set()))
        for i, s in enumerate(seg_a):
            if s is not None:
                gold_groups[s][0].add(i)
        for j, t in enumerate(seg_b):
            if t is not None:
                gold_groups[t][1].add(j)
        gold_set = {(frozenset(x), frozenset(y)) for x, y in gold_groups.values() if x and y}
        predicted_set = {(frozenset(x), frozenset(y)) for x, y in aligned if x and y}
        strict_right += len(gold_set & predicted_set)
        strict_predicted += len(predicted_set)
        strict_gold += len(gold_set)
    return {
        "articles": len(articles),
        "translations": len(translations),
        "article_link_accuracy": round(right / len(translations), 4) if translations else 0.0,
        "translations_right": right,
        "links": len(links),
        "links_across_documents": cross_document,
        "same_story_links_within_documents": siblings,
        "sentence_pairs": _prf(tp, predicted, gold_total),
        "sentence_groups_strict": _prf(strict_right, strict_predicted, strict_gold),
        "seconds_per_pair": _time_per_pair(snapshot, originals, translations, document),
    }


def _external_ids(snapshot: corpus.Snapshot) -> dict[str, str]:
    rows = snapshot.query("select article_id, external_id from articles").to_pylist()
    return {r["article_id"]: r["external_id"] for r in rows}


def _prf(tp: int, predicted: int, gold: int) -> dict[str, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "gold": gold}


def _time_per_pair(
    snapshot: corpus.Snapshot, originals: dict[str, str], translations: list[str], document: dict[str, str]
) -> float:
    """Mean seconds to align the sentences of one original–translation pair from stored vectors."""
    table = snapshot.table("sentence_embeddings").sort_by([("article_id", "ascending"), ("index", "ascending")])
    vectors = vector_matrix(table)
    rows: dict[str, list[int]] = defaultdict(list)
    for row, article_id in enumerate(table.column("article_id").to_pylist()):
        rows[article_id].append(row)
    pairs = [(originals[document[t]], t) for t in translations if document[t] in originals]
    started = time.perf_counter()
    for original, translation in pairs:
        align_sentences(vectors[rows[original]], vectors[rows[translation]])
    return round((time.perf_counter() - started) / max(1, len(pairs)), 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wmt-docs", type=int, default=15, help="documents per WMT22 file")
    parser.add_argument("--keep", type=Path, help="keep the snapshots under this folder")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    encoder = load_encoder()
    results: dict[str, Any] = {"quotetrace_version": __version__, "model": encoder.name}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for name, (records, versions) in (("ntrex", ntrex_records()), ("wmt22", wmt_records(args.wmt_docs))):
            started = time.perf_counter()
            workdir = root / name
            workdir.mkdir(parents=True, exist_ok=True)
            snapshot = build(records, workdir, encoder)
            results[name] = evaluate(snapshot, versions) | {"seconds": round(time.perf_counter() - started, 1)}
            print(name, json.dumps(results[name]), flush=True)
    results["goals"] = {"article_link_accuracy": 0.99, "sentence_f1": 0.98}
    report(results, "translations", write=not args.no_write)


if __name__ == "__main__":
    main()
