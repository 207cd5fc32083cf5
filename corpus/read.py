"""Read stage: input paths → batches of raw documents (an Arrow table per batch).

Files and directories (walked recursively, hidden entries skipped, sorted so that builds are
deterministic); ``.txt``, ``.html``/``.htm``, ``.jsonl``/``.json``, each optionally gzipped.
Unknown extensions are sniffed from their content. Inputs that cannot become articles are
yielded as rows with ``error`` set, never raised: one bad file never costs a good one.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from quotetrace.corpus.decode import DecodeError, decode
from quotetrace.errors import InputError

RAW_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("input_format", pa.string()),
        ("content", pa.string()),  # text, or HTML markup for input_format == "html"
        ("external_id", pa.string()),
        ("url", pa.string()),
        ("outlet", pa.string()),
        ("title", pa.string()),
        ("published", pa.string()),
        ("language", pa.string()),
        ("translated_from", pa.string()),  # a feed's own provenance: the original's language
        ("original_url", pa.string()),  # and the original's address
        ("extra", pa.string()),  # a JSONL record's other fields, as a JSON object
        ("error", pa.string()),  # "reason: detail" when the input cannot become an article
    ]
)
_SUFFIX_FORMATS = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl",
}  # fmt: skip
_JSONL_FIELDS = ("id", "url", "title", "outlet", "published", "language", "translated_from", "original_url")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ReadOptions:
    # A file (or one JSONL line) larger than this is rejected as too large, not loaded.
    max_article_bytes: int = 10_000_000
    # A `.json` file is first read whole (an array of articles, or one pretty-printed object)
    # when it is at most this large; larger ones are read as JSONL.
    max_json_document_bytes: int = 100_000_000
    batch_size: int = 256


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every input file under ``paths``, in a deterministic order; raises :class:`InputError`
    for a path that does not exist."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"input not found: {path}")
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(Path(root) / name for name in sorted(names) if not name.startswith("."))
        else:
            files.append(path)
    return files


def read_inputs(
    files: Iterable[Path], options: ReadOptions = ReadOptions(), on_file: Callable[[int], None] | None = None
) -> Iterator[pa.Table]:
    """Raw documents of ``files`` (see :func:`discover`) in batches of ``options.batch_size``
    rows (``RAW_SCHEMA``); ``on_file`` is called with the count of files read so far."""
    batch: list[dict[str, Any]] = []
    for done, path in enumerate(files, start=1):
        for row in read_file(path, options):
            batch.append(row)
            if len(batch) >= options.batch_size:
                yield pa.Table.from_pylist(batch, schema=RAW_SCHEMA)
                batch = []
        if on_file:
            on_file(done)
    if batch:
        yield pa.Table.from_pylist(batch, schema=RAW_SCHEMA)


def read_file(path: Path, options: ReadOptions = ReadOptions()) -> Iterator[dict[str, Any]]:
    """Raw document rows of one input file (several for JSONL)."""
    source = str(path)
    try:
        with _open(path) as stream:
            input_format = _SUFFIX_FORMATS.get(_logical_suffix(path)) or _sniff(stream)
            if input_format is None:
                yield _reject(source, "unknown_format", f"cannot tell the format of {path.name}")
            elif input_format == "jsonl" and _logical_suffix(path) == ".json":
                yield from _read_json_document(stream, source, options)
            elif input_format == "jsonl":
                yield from _read_jsonl(stream, source, options)
            else:
                yield _read_whole(stream, source, input_format, options)
    except (OSError, EOFError, zlib.error) as error:
        yield _reject(source, "unreadable", f"{type(error).__name__}: {error}")


def _open(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == _GZIP_MAGIC else open(path, "rb")


def _logical_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _sniff(stream: IO[bytes]) -> str | None:
    """Format of an input with an unknown name, from its first bytes (the stream is rewound)."""
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip():
        return "txt"  # empty: read as text so that it is rejected as empty, with that reason
    try:
        sample = decode(head, html=True).text.lstrip("\ufeff \t\r\n").lower()
    except DecodeError:
        sample = head.decode("latin-1").lower()
        if b"\x00" in head:
            return "txt"  # rejected as binary by decoding, with that reason
    if sample.startswith("{"):
        return "jsonl"
    if sample.startswith(("<!doctype html", "<html", "<?xml")) or any(
        tag in sample for tag in ("<html", "<body", "<head", "<p>", "<div", "<article")
    ):
        return "html"
    return "txt"


def _read_whole(stream: IO[bytes], source: str, input_format: str, options: ReadOptions) -> dict[str, Any]:
    data = stream.read(options.max_article_bytes + 1)
    if len(data) > options.max_article_bytes:
        return _reject(source, "too_large", f"more than {options.max_article_bytes} bytes")
    if not data.strip():
        return _reject(source, "empty", "no content")
    try:
        decoded = decode(data, html=input_format == "html")
    except DecodeError as error:
        return _reject(source, error.reason, error.detail)
    return _row(source, input_format, decoded.text)


def _read_jsonl(stream: IO[bytes], source: str, options: ReadOptions) -> Iterator[dict[str, Any]]:
    limit = options.max_article_bytes
    for number, line in enumerate(_bounded_lines(stream, limit), start=1):
        where = f"{source}:{number}"
        if line is None:
            yield _reject(where, "too_large", f"line longer than {limit} bytes")
            continue
        if not line.strip():
            continue  # blank lines separate nothing in JSONL; not an input
        try:
            text = decode(line).text
            record = json.loads(text)
        except DecodeError as error:
            yield _reject(where, error.reason, error.detail)
            continue
        except json.JSONDecodeError as error:
            yield _reject(where, "malformed_json", str(error))
            continue
        yield _jsonl_row(where, record)


def _read_json_document(stream: IO[bytes], source: str, options: ReadOptions) -> Iterator[dict[str, Any]]:
    """A `.json` file: an array of article objects, one object, or else JSON lines."""
    data = stream.read(options.max_json_document_bytes + 1)
    stream.seek(0)
    if len(data) <= options.max_json_document_bytes and data.lstrip()[:1] in (b"[", b"{"):
        try:
            document = json.loads(decode(data).text)
        except (DecodeError, json.JSONDecodeError):
            document = None  # not one JSON document: JSON lines, each judged on its own
        if isinstance(document, list):
            for number, record in enumerate(document, start=1):
                yield _jsonl_row(f"{source}:{number}", record)
            return
        if isinstance(document, dict):
            yield _jsonl_row(source, document)
            return
    del data
    yield from _read_jsonl(stream, source, options)


def _bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Lines of ``stream``; ``None`` for a line longer than ``limit``, whose bytes are skipped
    without being held in memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield None
        else:
            yield line


def _jsonl_row(source: str, record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        return _reject(source, "wrong_type", f"a JSON {type(record).__name__}, expected an object")
    text = record.get("text")
    if text is None:
        return _reject(source, "missing_text", "no `text` field")
    if not isinstance(text, str):
        return _reject(source, "wrong_type", f"`text` is a {type(text).__name__}, expected a string")
    if not text.strip():
        return _reject(source, "empty", "`text` is empty")
    fields: dict[str, str | None] = {}
    for name in _JSONL_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, (str, int, float)):
            return _reject(source, "wrong_type", f"`{name}` is a {type(value).__name__}, expected a string")
        fields[name] = None if value is None or value == "" else str(value)
    others = {key: value for key, value in record.items() if key not in _JSONL_FIELDS and key != "text"}
    return _row(
        source,
        "jsonl",
        text,
        external_id=fields["id"],
        url=fields["url"],
        title=fields["title"],
        outlet=fields["outlet"],
        published=fields["published"],
        language=fields["language"],
        translated_from=fields["translated_from"],
        original_url=fields["original_url"],
        extra=json.dumps(others, ensure_ascii=False) if others else None,
    )


def _row(source: str, input_format: str, content: str, **fields: str | None) -> dict[str, Any]:
    return {"source": source, "input_format": input_format, "content": content, **fields}


def _reject(source: str, reason: str, detail: str) -> dict[str, Any]:
    return {"source": source, "input_format": "unknown", "error": f"{reason}: {detail}"}
