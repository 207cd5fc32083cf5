"""Snapshots: a directory of Parquet tables plus ``manifest.json``, written atomically.

A build writes into a temporary directory beside ``--out`` and moves it into place only when
every table is complete, so a failed or killed build never leaves a half snapshot and never
touches the previous one. Replacing an existing snapshot swaps the two directories in one
atomic step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames). A lock file beside
the output keeps two builds from writing the same snapshot.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from quotetrace import interrupts, schemas
from quotetrace.errors import SnapshotError
from quotetrace.files import as_if_created_plainly

MANIFEST = "manifest.json"
_RENAME_EXCHANGE = 2


class SnapshotWriter:
    """Write a snapshot's tables into a temporary directory; :meth:`commit` moves it into place.

    Use as a context manager: leaving it without a commit (an error, a KeyboardInterrupt)
    removes the temporary directory and leaves ``out`` as it was.
    """

    def __init__(self, out: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        self.out = Path(out).absolute()
        self.overwrite = overwrite
        self._lock: IO[str] | None = None
        self._tmp: Path | None = None
        self._writers: dict[str, pq.ParquetWriter | _Adopted] = {}
        self.rows: dict[str, int] = {}

    def __enter__(self) -> SnapshotWriter:
        if self.out.exists() and not self.out.is_dir():
            raise SnapshotError(f"output {self.out} exists and is not a directory")
        if self.out.exists() and not self.overwrite:
            raise SnapshotError(f"output {self.out} already exists; pass --overwrite to replace it")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(self.out)
        _remove_stale_temporaries(self.out)
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        as_if_created_plainly(self._tmp)
        return self

    def write(self, name: str, table: pa.Table) -> None:
        """Append ``table`` (checked against the schema of ``name``) as one row group."""
        assert self._tmp is not None, "use SnapshotWriter as a context manager"
        table = schemas.validate(table, name)
        if name not in self._writers:
            self._writers[name] = pq.ParquetWriter(self._tmp / f"{name}.parquet", table.schema, compression="zstd")
            self.rows[name] = 0
        writer = self._writers[name]
        if isinstance(writer, _Adopted):
            raise SnapshotError(f"table {name!r} was taken whole from another snapshot; use replace()")
        if table.num_rows:
            writer.write_table(table)
            self.rows[name] += table.num_rows

    def finish(self, name: str) -> Path:
        """Close table ``name`` so a later stage can read it back; returns its file."""
        assert self._tmp is not None, "use SnapshotWriter as a context manager"
        if name not in self._writers:
            self.write(name, schemas.empty(name))
        self._writers[name].close()
        return self._tmp / f"{name}.parquet"

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """Table ``name`` as written so far (closed first), for a later stage; a damaged table
        (adopted from a snapshot) is a SnapshotError."""
        with _reading(name, self.out):
            return pq.read_table(self.finish(name), columns=columns)

    def has(self, name: str) -> bool:
        """Whether table ``name`` has been written (or adopted) so far."""
        return name in self._writers

    def replace(self, name: str, table: pa.Table) -> None:
        """Write table ``name`` anew (a later stage filled in columns of it, or rewrites it whole)."""
        if name in self._writers:
            self.finish(name).unlink()
            del self._writers[name]
        self.write(name, table)

    def adopt(self, name: str, source: Path, rows: int) -> None:
        """Take table ``name`` unchanged from another snapshot (hard-linked where the filesystem
        allows, so an unchanged table costs no copy)."""
        assert self._tmp is not None, "use SnapshotWriter as a context manager"
        with _reading(name, source):
            pq.read_metadata(source)  # a damaged table is refused here, not carried into a new snapshot
        target = self._tmp / f"{name}.parquet"
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self._writers[name] = _Adopted()
        self.rows[name] = rows

    def scratch_path(self, name: str) -> Path:
        assert self._tmp is not None, "use SnapshotWriter as a context manager"
        return self._tmp / f"_scratch_{name}.parquet"

    def scratch(self, name: str, schema: pa.Schema) -> pq.ParquetWriter:
        """A Parquet file for intermediate rows (a table awaiting a corpus-wide pass); it lives in
        the temporary directory and is removed at commit."""
        return pq.ParquetWriter(self.scratch_path(name), schema, compression="zstd")

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Finish every table, write the manifest and move the snapshot into place."""
        assert self._tmp is not None, "use SnapshotWriter as a context manager"
        for name in schemas.TABLES:
            if name not in self._writers:
                self.write(name, schemas.empty(name))
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        for scratch in self._tmp.glob("_scratch_*"):
            scratch.unlink()
        manifest = {
            "schema_version": schemas.SCHEMA_VERSION,
            **manifest,
            "tables": {name: {"file": f"{name}.parquet", "rows": rows} for name, rows in sorted(self.rows.items())},
        }
        (self._tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        _fsync_tree(self._tmp)
        with interrupts.held():  # a signal now would leave the old snapshot beside the new one
            if self.out.exists():
                _swap_into_place(self._tmp, self.out)
            else:
                self._tmp.rename(self.out)
            self._tmp = None
        _fsync_dir(self.out.parent)
        return self.out

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Remove the temporary snapshot whatever stopped the build (closing a writer on a full
        disk fails too); a full disk becomes one SnapshotError saying nothing was changed."""
        try:
            for writer in self._writers.values():
                with suppress(OSError):
                    writer.close()
        finally:
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)
            if self._lock is not None:
                self._lock.close()
        if isinstance(error, OSError) and _disk_full(error):
            kept = f"{self.out} is as it was" if self.out.exists() else f"nothing was written at {self.out}"
            raise SnapshotError(f"no space left on the disk of {self.out.parent}: {kept}; free space and run again")


class _Adopted:
    """Stands in for the writer of a table adopted as a finished file."""

    def close(self) -> None:
        pass


@contextmanager
def _reading(name: str, where: Path) -> Iterator[None]:
    """A damaged or missing Parquet file of table ``name`` becomes one SnapshotError naming where."""
    try:
        yield
    except (OSError, pa.ArrowInvalid) as error:
        raise SnapshotError(f"cannot read table {name!r} of {where}: {error}") from None


def _acquire_lock(out: Path) -> IO[str]:
    lock = open(out.parent / f".{out.name}.lock", "w")  # noqa: SIM115 - held until the writer closes
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise SnapshotError(f"another build is writing {out}; try again when it has finished") from None
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary directories left by killed builds: safe to remove while we hold the lock."""
    for leftover in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _disk_full(error: OSError) -> bool:
    """ENOSPC or EDQUOT, from Python or from Arrow (whose OSError carries it only in its text)."""
    codes = (errno.ENOSPC, errno.EDQUOT)
    return error.errno in codes or any(f"[errno {code}]" in str(error).casefold() for code in codes)


def _swap_into_place(new: Path, out: Path) -> None:
    """Put ``new`` at ``out`` in one atomic step; the old snapshot ends up at ``new`` (removed)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    at_fdcwd = -100
    if renameat2 is not None and renameat2(at_fdcwd, bytes(new), at_fdcwd, bytes(out), _RENAME_EXCHANGE) == 0:
        shutil.rmtree(new, ignore_errors=True)
        return
    old = out.with_name(f".{out.name}.tmp-old-{os.getpid()}")
    out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Snapshot:
    """A snapshot on disk: its manifest and its tables."""

    path: Path
    manifest: dict[str, Any] = field(repr=False)

    @property
    def table_names(self) -> list[str]:
        return list(self.manifest["tables"])

    def table_path(self, name: str) -> Path:
        if name not in self.manifest["tables"]:
            raise SnapshotError(f"snapshot {self.path} has no table {name!r}; it has {', '.join(self.table_names)}")
        return self.path / self.manifest["tables"][name]["file"]

    def table(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """The whole table ``name`` (or some of its columns) as Arrow."""
        with _reading(name, self.path):
            return pq.read_table(self.table_path(name), columns=columns)

    def columns(self, name: str) -> list[str]:
        """Column names of table ``name`` as its file holds them (an older version's may lack some)."""
        with _reading(name, self.path):
            return pq.read_schema(self.table_path(name)).names

    def row_groups(self, name: str) -> Iterator[pa.Table]:
        """Table ``name`` one Parquet row group at a time, so a large table never sits in memory whole."""
        with _reading(name, self.path):
            source = pq.ParquetFile(self.table_path(name))
            for group in range(source.num_row_groups):
                yield source.read_row_group(group)

    @cached_property
    def _views_sql(self) -> list[str]:
        return [
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{_sql_string(self.table_path(name))}')"
            for name in self.table_names
        ]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with every table registered as a view by its name."""
        connection = duckdb.connect()
        try:
            for statement in self._views_sql:
                connection.execute(statement)
        except duckdb.Error as error:
            connection.close()
            raise SnapshotError(f"cannot read snapshot {self.path}: {_first_line(error)}") from None
        return connection

    def query(self, sql: str, parameters: list[Any] | None = None) -> pa.Table:
        """Run DuckDB SQL over the snapshot's tables (``?`` placeholders take ``parameters``); errors in
        the SQL become SnapshotError."""
        connection = self.connect()
        try:
            relation = connection.sql(sql, params=parameters)
            return relation.to_arrow_table() if relation is not None else pa.table({})
        except duckdb.Error as error:
            raise SnapshotError(f"query failed: {_first_line(error)}") from None
        finally:
            connection.close()


def open_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Open the snapshot at ``path``, checking its manifest, schema version and table files."""
    path = Path(path)
    if not path.is_dir():
        raise SnapshotError(f"no snapshot at {path}: not a directory")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot at {path}: {MANIFEST} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SnapshotError(f"snapshot {path} has a damaged {MANIFEST}: {error}") from None
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    if version not in schemas.READABLE_VERSIONS:
        readable = ", ".join(map(str, schemas.READABLE_VERSIONS))
        raise SnapshotError(
            f"snapshot {path} has schema version {version!r}; this quotetrace reads versions {readable}"
        )
    if not isinstance(manifest.get("tables"), dict):
        raise SnapshotError(f"snapshot {path} has a damaged {MANIFEST}: no tables")
    snapshot = Snapshot(path, manifest)
    for name in snapshot.table_names:
        if not snapshot.table_path(name).is_file():
            raise SnapshotError(f"snapshot {path} is missing table {name!r} ({snapshot.table_path(name).name})")
    return snapshot


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")
