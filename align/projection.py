"""Projection: a statement one outlet quotes and another only narrates becomes a quote there too.

Why: extraction needs a speech cue, and outlets retell the same statement without one (`Three people
appear to be in stable condition` in one article, `the other three patients appeared to be in
stable condition, the fire department said` in the other). Recall of a link should not depend on
the other outlet's wording. So for each quote with a speaker, each article on the same story
(``align.stories``) is searched for the sentence that renders it: no quote of that article covers
it, it is the closest of that article's sentences to the quote, the quote's own sentence is the
closest of the quote's article to it (mutual), it is close enough (``ProjectionOptions.cosine``),
and it names the speaker (any spelling the corpus holds), or refers to them with a pronoun right
after a sentence that names them. Such a sentence
is a candidate quote with ``evidence`` = projected and the speaker of its source; the link
decision then judges it like any other pair (``align.link``), and the align stage keeps it only
when it is linked as the same statement to the quote it was projected from.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from quotetrace import schemas
from quotetrace.align.link import spellings_of
from quotetrace.align.stories import Stories
from quotetrace.corpus.attribution.names import name_in_text
from quotetrace.corpus.lexicon import language_resources
from quotetrace.schemas import PROJECTED

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ProjectionOptions:
    enabled: bool = True
    cosine: float = 0.85  # a quote and the sentence that renders it (e5: unrelated news sentences ≈ 0.8)
    story: float | None = None  # story score two articles need; None: the link model's
    neighbours: int = 16  # articles on one story searched per article, the closest first
    confidence: float = 0.5  # speaker_confidence of a projected quote (a name as written: 0.5)


@dataclass(frozen=True)
class Projected:
    quotes: pa.Table  # candidate rows of ``quotes`` (evidence = projected)
    vectors: np.ndarray  # their vectors (the sentences' own)
    sources: list[str]  # quote_id each was projected from

    def pairs(self, first_row: int, row_of: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(source row, projected row) of each, the projected quotes being rows ``first_row`` on."""
        sources = np.array([row_of[q] for q in self.sources], dtype=np.int64)
        return sources, np.arange(first_row, first_row + len(self.sources), dtype=np.int64)


def project_quotes(
    quotes: pa.Table,
    quote_vectors: np.ndarray,
    sentences: pa.Table,
    sentence_vectors: np.ndarray,
    stories: Stories,
    article_texts: Mapping[str, str],
    story_threshold: float,
    options: ProjectionOptions = ProjectionOptions(),
) -> Projected:
    """Candidate quotes projected from ``quotes`` (rows of the quotes table, one per vector) into the
    sentences (one per vector) of other articles on the same story."""
    empty = Projected(quotes.schema.empty_table(), np.zeros((0, quote_vectors.shape[1]), np.float32), [])
    if not options.enabled or not quotes.num_rows or not sentences.num_rows:
        return empty
    q = {c: quotes.column(c).to_pylist() for c in ("quote_id", "article_id", "start", "end", "speaker", "speaker_id")}
    s = {c: sentences.column(c).to_pylist() for c in ("article_id", "start", "end", "text", "language")}
    quotes_of, sentences_of = defaultdict(list), defaultdict(list)
    for i, article in enumerate(q["article_id"]):
        if q["speaker"][i]:
            quotes_of[article].append(i)
    for i, article in enumerate(s["article_id"]):
        sentences_of[article].append(i)
    spans_of = defaultdict(list)
    for article, start, end in zip(q["article_id"], q["start"], q["end"], strict=True):
        spans_of[article].append((start, end))
    free_of = {  # sentences no quote of their article covers
        article: np.array([i for i in rows if not any(_covers((s["start"][i], s["end"][i]), span)
                                                      for span in spans_of[article])], dtype=np.int64)
        for article, rows in sentences_of.items()
    }  # fmt: skip
    spellings = spellings_of(q["speaker_id"], q["speaker"])
    best: dict[int, tuple[float, int]] = {}  # sentence -> (cosine, quote) of the closest source
    threshold = options.story if options.story is not None else story_threshold
    for a, b in story_pairs(stories, threshold, options.neighbours):
        if not quotes_of[a] or b not in free_of:
            continue
        own, free = np.array(sentences_of[a]), free_of[b]
        if not len(free) or not len(own):
            continue
        sources = np.array(quotes_of[a])
        cosines = quote_vectors[sources] @ sentence_vectors[free].T  # quotes of a × free sentences of b
        back = sentence_vectors[free] @ sentence_vectors[own].T  # free sentences of b × sentences of a
        for row, source in enumerate(sources.tolist()):
            column = int(np.argmax(cosines[row]))
            cosine, sentence = float(cosines[row, column]), int(free[column])
            if cosine < options.cosine or (sentence in best and best[sentence][0] >= cosine):
                continue
            closest = int(own[int(np.argmax(back[column]))])
            if not _covers((s["start"][closest], s["end"][closest]), (q["start"][source], q["end"][source])):
                continue  # not mutual: the sentence renders another sentence of the quote's article
            names = spellings.get(q["speaker_id"][source]) or {q["speaker"][source]}
            position = sentences_of[b].index(sentence)
            before = s["text"][sentences_of[b][position - 1]] if position else ""
            if _refers_to(s["text"][sentence], before, names, s["language"][sentence]):
                best[sentence] = (cosine, source)
    if not best:
        return empty
    rows, sources_of = [], []
    for sentence, (_, source) in sorted(best.items()):
        article, start, end = s["article_id"][sentence], s["start"][sentence], s["end"][sentence]
        rows.append({
            "quote_id": projected_quote_id(article, start, end), "article_id": article, "text": s["text"][sentence],
            "start": start, "end": end, "kind": "indirect", "cue": None, "speaker_mention": None,
            "speaker": q["speaker"][source], "speaker_role": None, "speaker_confidence": options.confidence,
            "speaker_id": q["speaker_id"][source], "language": s["language"][sentence],
            "paragraph": article_texts.get(article, "")[:start].count("\n\n"), "parts": [{"start": start, "end": end}],
            "text_en": None, "speaker_carried_from": None, "evidence": PROJECTED,
        })  # fmt: skip
        sources_of.append(q["quote_id"][source])
    table = schemas.validate(pa.Table.from_pylist(rows, schema=schemas.QUOTES), "quotes")
    return Projected(table, sentence_vectors[sorted(best)].astype(np.float32), sources_of)


def linked_to_source(projected: Projected, links: pa.Table) -> set[str]:
    """Projected quotes the link decision judged the same statement as the quote they came from."""
    source_of = dict(zip(projected.quotes.column("quote_id").to_pylist(), projected.sources, strict=True))
    same = links.filter(pc.equal(links.column("relation"), "same_statement"))
    pairs = zip(same.column("quote_id_a").to_pylist(), same.column("quote_id_b").to_pylist(), strict=True)
    return {x for a, b in pairs for x, y in ((a, b), (b, a)) if source_of.get(x) == y}


def story_pairs(stories: Stories, threshold: float, neighbours: int) -> list[tuple[str, str]]:
    """Ordered pairs of distinct articles whose story score reaches ``threshold``, at most
    ``neighbours`` per article (the closest), computed in blocks so memory stays flat."""
    ids = sorted(stories.position, key=stories.position.__getitem__)
    vectors = stories.vectors
    found: list[tuple[str, str]] = []
    block = 1024
    for start in range(0, len(ids), block):
        scores = vectors[start : start + block] @ vectors.T
        for row in range(scores.shape[0]):
            scores[row, start + row] = -np.inf
        k = min(neighbours, len(ids) - 1)
        if k <= 0:
            break
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        for row, columns in enumerate(top):
            for column in columns[np.argsort(-scores[row, columns])]:
                if scores[row, column] >= threshold:
                    found.append((ids[start + row], ids[int(column)]))
    return found


def projected_quote_id(article_id: str, start: int, end: int) -> str:
    """Stable and apart from extracted quotes' ids (a projected quote may span an extracted one's offsets)."""
    return hashlib.sha256(f"{article_id}:{start}:{end}:{PROJECTED}".encode()).hexdigest()[:16]


def _refers_to(sentence: str, before: str, names: set[str], language: str | None) -> bool:
    """The sentence names the speaker, or a pronoun of its language in it follows a sentence that
    does (`Um Lücken … zu schließen, setzt er auch bei Top-Einkommen an.`)."""
    if any(name_in_text(name, sentence) for name in names):
        return True
    pronouns = language_resources(language).pronouns
    if language_resources(language).cjk:
        has_pronoun = any(p in sentence for p in pronouns)
    else:
        has_pronoun = bool(pronouns & {w.casefold() for w in _WORD.findall(sentence)})
    return has_pronoun and any(name_in_text(name, before) for name in names)


def _covers(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Spans overlapping on at least half of the shorter one."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return overlap > 0 and overlap >= 0.5 * min(a[1] - a[0], b[1] - b[0])
