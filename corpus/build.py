"""The corpus build: read → extract HTML → normalize → language → provenance → sentences and
quotes → snapshot.

Batches stream through the stages and are written as Parquet row groups as they come, so
memory does not grow with the corpus; only the set of article ids seen (for deduplication)
does. Inputs that fail any stage become ``rejects`` rows; exact duplicates become
``duplicates`` rows pointing at the article kept.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from quotetrace import interrupts, schemas
from quotetrace.corpus.attribution.identity import resolve_corpus, title_unsupported_names
from quotetrace.corpus.attribution.in_article import is_proper_name
from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.attribution.quotes import quote_table
from quotetrace.corpus.attribution.rules import QuoteOptions
from quotetrace.corpus.attribution.stage import attribute
from quotetrace.corpus.attribution.tagger import shipped_head
from quotetrace.corpus.html import HtmlOptions, extract_html
from quotetrace.corpus.language import LanguageOptions, detect_language
from quotetrace.corpus.normalize import NormalizeOptions, normalize
from quotetrace.corpus.provenance import ProvenanceOptions, detect_provenance
from quotetrace.corpus.read import ReadOptions, discover, read_inputs
from quotetrace.corpus.sentences import sentence_table
from quotetrace.corpus.snapshot import Snapshot, SnapshotWriter, open_snapshot, utc_now
from quotetrace.encoder import DEFAULT_MODEL, Encoder, TokenEncoder, load_encoder
from quotetrace.errors import EncoderError, SnapshotError, WorkerError
from quotetrace.version import __version__


@dataclass(frozen=True)
class BuildOptions:
    read: ReadOptions = field(default_factory=ReadOptions)
    html: HtmlOptions = field(default_factory=HtmlOptions)
    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)
    language: LanguageOptions = field(default_factory=LanguageOptions)
    provenance: ProvenanceOptions = field(default_factory=ProvenanceOptions)
    quotes: QuoteOptions = field(default_factory=QuoteOptions)
    tagger: TaggerOptions = field(default_factory=TaggerOptions)
    # Processes running the stages over batches; output is the same for any number.
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    inputs: int  # input files
    articles: int
    paragraphs: int
    sentences: int
    quotes: int
    speakers: int
    duplicates: int
    rejects: int
    rejects_by_reason: dict[str, int]
    seconds: float
    reused_articles: int = 0  # articles taken over from the base snapshot, not processed again
    tagged_quotes: int = 0  # quotes the attribution tagger found that the rules had not
    unread_dates: int = 0  # inputs whose `published` held no date we could read (kept in published_raw)

    @property
    def new_articles(self) -> int:
        return self.articles - self.reused_articles

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


Progress = Callable[[int], None]
# A later stage run inside the build, over the finished tables, before the commit (the align
# stage: corpus knows nothing of it). It may add tables and returns its manifest section.
LaterStage = Callable[[SnapshotWriter], dict[str, Any]]


def build_snapshot(
    inputs: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    options: BuildOptions = BuildOptions(),
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    later_stages: Sequence[LaterStage] = (),
    base: str | os.PathLike[str] | None = None,
    encoder: Encoder | None = None,
) -> BuildResult:
    """Build a snapshot at ``out`` from the articles under ``inputs``.

    ``progress`` is called with the number of input files finished so far; ``later_stages`` run
    before the commit, so the snapshot appears with all their tables or not at all. With ``base``
    (a snapshot), the new snapshot holds the base's articles followed by those of ``inputs``: the
    base's rows are taken over as they are (an input already in the base is a duplicate), and
    the corpus-wide passes run over everything, so the result equals a build of the base's
    inputs and ``inputs`` together. The base snapshot is only read. The attribution tagger reads
    the token states of ``encoder`` (default: the shipped multilingual-e5-small, the model its
    head was trained on), whose sentence vectors go to ``sentence_embeddings``.
    """
    started = time.perf_counter()
    files = discover(inputs)
    base_snapshot = _open_base(base, out, options) if base is not None else None
    seen: set[str] = set()
    reasons: Counter[str] = Counter()
    tagger = _tagger(options.tagger, encoder)
    tagged = unread_dates = 0
    with SnapshotWriter(out, overwrite=overwrite) as snapshot, ExitStack() as stack:
        batches = read_inputs(files, options.read, on_file=progress)
        unresolved_quotes = snapshot.scratch("quotes", schemas.QUOTES)
        if base_snapshot is not None:
            seen = _take_over(base_snapshot, snapshot, unresolved_quotes)
            reasons.update(base_snapshot.manifest.get("rejects_by_reason", {}))
            unread_dates = base_snapshot.manifest.get("unread_dates", 0)
        reused_articles = len(seen)
        processed = stack.enter_context(closing(_map_ordered(process_batch, batches, options)))
        for articles, rejects, quotes, sentences in processed:
            reasons.update(rejects.column("reason").to_pylist())
            unread_dates += articles.num_rows - articles.column("published_raw").null_count
            articles, duplicates = _deduplicate(articles, seen)
            kept_ids = articles.column("article_id")
            quotes = quotes.filter(pc.is_in(quotes.column("article_id"), kept_ids))
            sentences = sentences.filter(pc.is_in(sentences.column("article_id"), kept_ids))
            if duplicates.num_rows:  # a copy within this batch brought its quotes and sentences too
                quotes, sentences = _first_rows(quotes, ["quote_id"]), _first_rows(sentences, ["article_id", "index"])
            if tagger is not None:
                attributed = attribute(articles, sentences, quotes, *tagger, options.tagger, options.quotes)
                quotes, tagged = attributed.quotes, tagged + attributed.tagged
                snapshot.write("sentence_embeddings", attributed.sentence_embeddings)
            unresolved_quotes.write_table(quotes)
            snapshot.write("articles", articles.select(schemas.ARTICLES.names))
            snapshot.write("paragraphs", paragraphs_of(articles))
            snapshot.write("sentences", sentences)
            snapshot.write("duplicates", duplicates)
            snapshot.write("rejects", rejects)
        unresolved_quotes.close()
        _resolve_speakers(snapshot)
        manifest = {
            "quotetrace_version": __version__,
            "created_at": utc_now(),
            "inputs": [
                *(base_snapshot.manifest.get("inputs", []) if base_snapshot else []),
                *(_describe_input(path) for path in files),
            ],
            "parameters": asdict(options),
            "rejects_by_reason": dict(sorted(reasons.items())),
            "unread_dates": unread_dates,  # inputs whose `published` held no readable date (kept in published_raw)
        }
        if base_snapshot is not None:
            manifest["base"] = {
                "path": str(base_snapshot.path.absolute()),
                "created_at": base_snapshot.manifest.get("created_at"),
                "quotetrace_version": base_snapshot.manifest.get("quotetrace_version"),
                "reused": {name: base_snapshot.manifest["tables"][name]["rows"] for name in _TAKEN_OVER},
            }
        for stage in later_stages:
            manifest |= stage(snapshot)
        path = snapshot.commit(manifest)
        rows = dict(snapshot.rows)
    return BuildResult(
        path=path,
        inputs=len(files),
        articles=rows["articles"],
        paragraphs=rows["paragraphs"],
        sentences=rows["sentences"],
        quotes=rows["quotes"],
        speakers=rows["speakers"],
        duplicates=rows["duplicates"],
        rejects=rows["rejects"],
        rejects_by_reason=dict(reasons),
        seconds=time.perf_counter() - started,
        reused_articles=reused_articles,
        tagged_quotes=tagged,
        unread_dates=unread_dates,
    )


def _tagger(options: TaggerOptions, encoder: Encoder | None) -> tuple[TokenEncoder, tuple[Any, Any]] | None:
    """The encoder and head the attribution tagger runs with, or None when it is off. The head was
    trained on the default model's states: with another encoder (a model the user named, the test
    encoder) the tagger reads the default model's, loaded once per process."""
    if not options.enabled:
        return None
    same = getattr(encoder, "precision", "fp32") == options.precision
    if not (isinstance(encoder, TokenEncoder) and encoder.name == DEFAULT_MODEL and same):
        encoder = load_encoder(device=options.device, precision=options.precision)
    if not isinstance(encoder, TokenEncoder):
        raise EncoderError(f"the attribution tagger needs token states, which {encoder!r} does not give")
    return encoder, shipped_head()


# Tables of a base snapshot taken over row for row by an incremental build (quotes too, through
# the corpus-wide speaker pass); every other table is derived anew from them.
_TAKEN_OVER = ("articles", "paragraphs", "sentences", "quotes", "duplicates", "rejects")


def _open_base(base: str | os.PathLike[str], out: str | os.PathLike[str], options: BuildOptions) -> Snapshot:
    """The base snapshot of an incremental build, refused when its rows would not be what this
    build makes of the same inputs (other build options)."""
    snapshot = open_snapshot(base)
    if snapshot.path.resolve() == Path(out).resolve():
        raise SnapshotError(f"--base and --out are both {out}: the base snapshot is kept as it is; name a new --out")
    ours, theirs = _comparable(asdict(options)), _comparable(snapshot.manifest.get("parameters", {}))
    changed = sorted(key for key in ours.keys() | theirs.keys() if ours.get(key) != theirs.get(key))
    if changed:
        raise SnapshotError(
            f"base snapshot {snapshot.path} was built with other options ({', '.join(changed)}); "
            "build from scratch instead of with --base"
        )
    return snapshot


def _comparable(parameters: dict[str, Any]) -> dict[str, Any]:
    """Build parameters as the manifest stores them (JSON), without those that do not change output."""
    return {k: v for k, v in json.loads(json.dumps(parameters, default=str)).items() if k != "workers"}


def _take_over(base: Snapshot, snapshot: SnapshotWriter, unresolved_quotes: pq.ParquetWriter) -> set[str]:
    """Copy the base's corpus tables into ``snapshot`` row group by row group (its quotes into the
    scratch file awaiting the speaker pass); returns the ids of its articles."""
    for name in _TAKEN_OVER:
        for part in base.row_groups(name):
            if name == "quotes":  # glosses, carried speakers, projected quotes are the align stage's
                if "evidence" in part.column_names:
                    part = part.filter(pc.fill_null(pc.not_equal(part.column("evidence"), schemas.PROJECTED), True))
                evidence = part.column("evidence") if "evidence" in part.column_names else pa.nulls(part.num_rows)
                for column in ("text_en", "speaker_carried_from", "evidence"):
                    if column in part.column_names:
                        part = part.drop_columns(column)
                    part = part.append_column(schemas.QUOTES.field(column), pa.nulls(part.num_rows, pa.string()))
                part = part.set_column(part.schema.get_field_index("evidence"), schemas.QUOTES.field("evidence"),
                                       evidence.cast(pa.string()))  # fmt: skip
                unresolved_quotes.write_table(schemas.validate(part, "quotes"))
            else:
                snapshot.write(name, schemas.upgraded(part, name))
    return set(base.table("articles", columns=["article_id"]).column("article_id").to_pylist())


Processed = tuple[pa.Table, pa.Table, pa.Table, pa.Table]  # articles, rejects, quotes, sentences


def process_batch(raw: pa.Table, options: BuildOptions = BuildOptions()) -> Processed:
    """Run the corpus stages over one raw batch: (articles, rejects, quotes, sentences)."""
    batch = normalize(extract_html(raw, options.html), options.normalize)
    failed = batch.filter(pc.is_valid(batch.column("error")))
    good = batch.filter(pc.is_null(batch.column("error")))
    good = detect_provenance(detect_language(good, options.language), options.provenance)
    good = _with_title_flags(good)
    return good, rejects_of(failed), quote_table(good, options.quotes), sentence_table(good)


def _with_title_flags(articles: pa.Table) -> pa.Table:
    flags = [
        title_unsupported_names(title, text, language)
        for title, text, language in zip(
            *(articles.column(c).to_pylist() for c in ("title", "text", "language")), strict=True
        )
    ]
    index = articles.schema.get_field_index("title_unsupported_names")
    return articles.set_column(index, "title_unsupported_names", pa.array(flags, pa.list_(pa.string())))


def _resolve_speakers(snapshot: SnapshotWriter) -> None:
    """The corpus-wide pass: group every resolved speaker name into ``speakers`` and write the
    ``quotes`` with their ``speaker_id``, streaming the scratch file back row group by row group."""
    scratch = pq.ParquetFile(snapshot.scratch_path("quotes"))
    entries = []
    for group in range(scratch.num_row_groups):
        part = scratch.read_row_group(group, columns=["speaker", "language", "speaker_role", "article_id"])
        entries.extend(
            (s, lang, role, a)
            for s, lang, role, a in zip(*part.to_pydict().values(), strict=True)
            if s and is_proper_name(s, lang)
        )
    speakers, ids = resolve_corpus(entries)
    snapshot.write("speakers", pa.Table.from_pylist([asdict(s) for s in speakers], schema=schemas.SPEAKERS))
    for group in range(scratch.num_row_groups):
        part = scratch.read_row_group(group)
        speaker_ids = pa.array([ids.get(s) if s else None for s in part.column("speaker").to_pylist()], pa.string())
        snapshot.write("quotes", part.set_column(part.schema.get_field_index("speaker_id"), "speaker_id", speaker_ids))


def _map_ordered(
    function: Callable[[pa.Table, BuildOptions], Processed],
    batches: Iterable[pa.Table],
    options: BuildOptions,
) -> Iterator[Processed]:
    """``function`` over ``batches`` in ``options.workers`` processes, results in input order,
    with at most two batches per worker in flight so memory stays bounded."""
    if options.workers <= 1:
        yield from (function(batch, options) for batch in batches)
        return
    pool = ProcessPoolExecutor(options.workers, mp_context=_worker_context(), initializer=interrupts.ignore_in_worker)
    try:
        pending: deque[Future[Processed]] = deque()
        for batch in batches:
            pending.append(pool.submit(function, batch, options))
            if len(pending) >= 2 * options.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as error:
        raise WorkerError(
            "a worker process died (killed or out of memory?). Workers start from a fork server and import "
            'the calling script first: a script that builds must do so under `if __name__ == "__main__":`; '
            "workers=1 (--workers 1) builds in this process"
        ) from error
    except BaseException:  # stopped (a signal, an error downstream, the caller closing us): stop the workers too
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers come from a fork server, not from forking this process: a forked worker would inherit
    the snapshot's lock, and workers orphaned by a killed build would then keep the next build out."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["quotetrace.corpus.build"])
    return context


def rejects_of(failed: pa.Table) -> pa.Table:
    rows = []
    for source, error in zip(failed.column("source").to_pylist(), failed.column("error").to_pylist(), strict=True):
        reason, _, detail = error.partition(": ")
        rows.append({"source": source, "reason": reason, "detail": detail or None})
    return pa.Table.from_pylist(rows, schema=schemas.REJECTS)


def paragraphs_of(articles: pa.Table) -> pa.Table:
    """The ``paragraphs`` table of a batch of articles (offsets into each article's text)."""
    rows = []
    columns = ["article_id", "paragraphs", "paragraph_languages", "paragraph_language_confidences"]
    for article_id, texts, languages, confidences in zip(
        *(articles.column(c).to_pylist() for c in columns), strict=True
    ):
        start = 0
        for index, text in enumerate(texts):
            rows.append({
                "article_id": article_id, "index": index, "text": text, "start": start,
                "end": start + len(text), "language": languages[index], "language_confidence": confidences[index],
            })  # fmt: skip
            start += len(text) + 2  # paragraphs are joined by a blank line
    return pa.Table.from_pylist(rows, schema=schemas.PARAGRAPHS)


def _first_rows(table: pa.Table, key: list[str]) -> pa.Table:
    """The first row of each ``key`` (the rows of an article's first copy)."""
    seen: set[tuple[object, ...]] = set()
    keep = []
    for i, value in enumerate(zip(*(table.column(name).to_pylist() for name in key), strict=True)):
        if value not in seen:
            seen.add(value)
            keep.append(i)
    return table if len(keep) == table.num_rows else table.take(pa.array(keep, pa.int64()))


def _deduplicate(batch: pa.Table, seen: set[str]) -> tuple[pa.Table, pa.Table]:
    keep, duplicates = [], []
    for index, row in enumerate(batch.select(schemas.DUPLICATES.names).to_pylist()):
        if row["article_id"] in seen:
            duplicates.append(row)
        else:
            seen.add(row["article_id"])
            keep.append(index)
    return batch.take(pa.array(keep, pa.int64())), pa.Table.from_pylist(duplicates, schema=schemas.DUPLICATES)


def _describe_input(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}
