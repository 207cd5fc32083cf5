"""Snapshots: atomic writes, refusal to overwrite, locking, determinism, schema checks, and
clear errors for damaged snapshots."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import SEEDS, write_ntrex_jsonl

import quotetrace
from quotetrace import corpus, errors, schemas
from quotetrace.corpus import build as build_module
from quotetrace.corpus.snapshot import SnapshotWriter
from quotetrace.report import write_report


def file_hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_inputs_give_the_same_parquet_bytes_whatever_the_worker_count(tmp_path):
    feed = write_ntrex_jsonl(tmp_path / "ntrex.jsonl", documents=3)
    inputs = [SEEDS, feed]
    corpus.build_snapshot(inputs, tmp_path / "a", corpus.BuildOptions(workers=1))
    corpus.build_snapshot(inputs, tmp_path / "b", corpus.BuildOptions(workers=2))
    a, b = file_hashes(tmp_path / "a"), file_hashes(tmp_path / "b")
    assert a.pop("manifest.json") != ""  # the manifest holds created_at and the worker count
    b.pop("manifest.json")
    assert a == b and set(a) == {f"{name}.parquet" for name in schemas.TABLES}


def test_manifest_records_inputs_counts_and_parameters(seeds_snapshot):
    manifest = seeds_snapshot.manifest
    assert manifest["schema_version"] == schemas.SCHEMA_VERSION
    assert manifest["quotetrace_version"] == quotetrace.__version__
    assert manifest["tables"]["articles"] == {"file": "articles.parquet", "rows": 2}
    assert manifest["tables"]["paragraphs"]["rows"] == seeds_snapshot.table("paragraphs").num_rows
    seed = next(i for i in manifest["inputs"] if i["path"].endswith("000_7170616e22f55333.txt"))
    assert seed["sha256"] == hashlib.sha256((SEEDS / "000_7170616e22f55333.txt").read_bytes()).hexdigest()
    assert manifest["parameters"]["language"]["max_chars"] > 0
    assert manifest["created_at"].endswith("+00:00")


def test_existing_output_is_refused_without_overwrite_and_replaced_with_it(tmp_path):
    out = tmp_path / "snapshot"
    corpus.build_snapshot([SEEDS / "000_7170616e22f55333.txt"], out)
    with pytest.raises(errors.SnapshotError, match="already exists; pass --overwrite"):
        corpus.build_snapshot([SEEDS], out)
    assert corpus.open_snapshot(out).manifest["tables"]["articles"]["rows"] == 1
    corpus.build_snapshot([SEEDS], out, overwrite=True)
    assert corpus.open_snapshot(out).manifest["tables"]["articles"]["rows"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snapshot.lock", "snapshot"]


def test_snapshot_and_report_get_the_users_umask_not_a_temporary_files_privacy(tmp_path):
    old = os.umask(0o022)
    try:
        corpus.build_snapshot([SEEDS], tmp_path / "snapshot")
        page = write_report(tmp_path / "snapshot", tmp_path / "report.html").path
    finally:
        os.umask(old)
    assert (tmp_path / "snapshot").stat().st_mode & 0o777 == 0o755
    assert page.stat().st_mode & 0o777 == 0o644


def test_output_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("not a snapshot")
    with pytest.raises(errors.SnapshotError, match="not a directory"):
        corpus.build_snapshot([SEEDS], tmp_path / "file", overwrite=True)


def test_a_failing_build_leaves_the_previous_snapshot_untouched(tmp_path, monkeypatch):
    out = tmp_path / "snapshot"
    corpus.build_snapshot([SEEDS], out)
    before = file_hashes(out)

    def explode(batch, options):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "process_batch", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        corpus.build_snapshot([SEEDS], out, corpus.BuildOptions(workers=1), overwrite=True)
    assert file_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snapshot.lock", "snapshot"]  # no temporaries left


def test_a_killed_build_never_shows_a_partial_snapshot_and_its_leftovers_are_cleaned(tmp_path):
    feed = write_ntrex_jsonl(tmp_path / "ntrex.jsonl", documents=30)
    out = tmp_path / "snapshot"
    corpus.build_snapshot([SEEDS], out)
    before = file_hashes(out)
    command = [sys.executable, "-m", "quotetrace.cli", "build", str(feed), "--out", str(out), "--overwrite", "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".snapshot.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the build is writing its temporary snapshot
    assert process.poll() is None, "the build ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert file_hashes(out) == before
    assert list(tmp_path.glob(".snapshot.tmp-*")), "the killed build's temporary directory should be left"
    corpus.build_snapshot([SEEDS / "000_7170616e22f55333.txt"], out, overwrite=True)
    assert not list(tmp_path.glob(".snapshot.tmp-*"))
    assert corpus.open_snapshot(out).manifest["tables"]["articles"]["rows"] == 1


def test_a_second_writer_of_the_same_output_is_refused_while_the_first_holds_the_lock(tmp_path):
    out = tmp_path / "snapshot"
    with SnapshotWriter(out), pytest.raises(errors.SnapshotError, match="another build is writing"):
        corpus.build_snapshot([SEEDS], out)
    corpus.build_snapshot([SEEDS], out)  # the lock is released with the first writer
    assert corpus.open_snapshot(out).manifest["tables"]["articles"]["rows"] == 2


def test_schema_validation_names_the_problem():
    articles = schemas.empty("articles")
    assert schemas.validate(articles, "articles").schema.equals(schemas.ARTICLES)
    with pytest.raises(schemas.SchemaError, match="missing \\['text'\\]"):
        schemas.validate(articles.drop_columns(["text"]), "articles")
    rejects = pa.table({"source": ["a"], "reason": [None], "detail": ["x"]})
    with pytest.raises(schemas.SchemaError, match="'reason' must not hold nulls"):
        schemas.validate(rejects, "rejects")
    with pytest.raises(schemas.SchemaError, match="unknown table"):
        schemas.schema("nope")
    wrong_type = pa.table({"source": ["a"], "reason": [[1]], "detail": ["x"]})
    with pytest.raises(schemas.SchemaError, match="column 'reason'"):
        schemas.validate(wrong_type, "rejects")


def test_parquet_files_carry_the_schema_version_and_column_docs(seeds_snapshot):
    schema = seeds_snapshot.table("articles").schema
    assert schema.metadata[b"quotetrace.schema_version"] == str(schemas.SCHEMA_VERSION).encode()
    assert schema.field("text").metadata[b"doc"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p / "manifest.json").unlink(), "manifest.json is missing"),
        (lambda p: (p / "manifest.json").write_text("{broken"), "damaged manifest.json"),
        (lambda p: (p / "paragraphs.parquet").unlink(), "missing table 'paragraphs'"),
        (
            lambda p: (p / "manifest.json").write_text(
                json.dumps({**json.loads((p / "manifest.json").read_text()), "schema_version": 99})
            ),
            "schema version 99",
        ),
    ],
)
def test_damaged_snapshots_are_refused_with_a_clear_message(tmp_path, damage, message):
    out = tmp_path / "snapshot"
    corpus.build_snapshot([SEEDS], out)
    damage(out)
    with pytest.raises(errors.SnapshotError, match=message):
        corpus.open_snapshot(out)


def test_truncated_parquet_is_a_clear_error(tmp_path):
    out = tmp_path / "snapshot"
    corpus.build_snapshot([SEEDS], out)
    data = (out / "articles.parquet").read_bytes()
    (out / "articles.parquet").write_bytes(data[: len(data) // 2])
    snapshot = corpus.open_snapshot(out)
    with pytest.raises(errors.SnapshotError, match="cannot read table 'articles'"):
        snapshot.table("articles")
    with pytest.raises(errors.SnapshotError, match=r"cannot read snapshot .*No magic bytes"):
        snapshot.query("select count(*) from articles")
