"""The `quotetrace` command as a user meets it: help with examples, one-line errors, output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, run_cli

from quotetrace.cli import app
from quotetrace.corpus.info import counted

COMMANDS = sorted(command.name or command.callback.__name__ for command in app.registered_commands)


def test_commands_of_the_contract_exist():
    assert {"build", "info", "query"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example:" in result.stdout
    assert f"quotetrace {command} " in result.stdout
    usage = result.stdout.splitlines()[0]  # arguments by name, as the options read: no {inputs}, no <list[Path]>
    arguments = {"build": "INPUTS...", "query": "SNAPSHOT SQL"}.get(command, "SNAPSHOT")
    assert usage.endswith(f" {command} [OPTIONS] {arguments}"), usage  # (run as python -m quotetrace.cli here)
    assert "<list[" not in result.stdout and "{" not in result.stdout


def test_build_info_and_query_end_to_end(tmp_path):
    out = tmp_path / "snapshot"
    built = run_cli("build", SEEDS, "--out", out)
    assert built.returncode == 0, built.stderr
    assert "2 articles" in built.stderr and "0 rejects" in built.stderr and "from 2 files" in built.stderr
    info = run_cli("info", out, "--json")
    summary = json.loads(info.stdout)
    assert summary["articles"] == 2
    assert summary["languages"] == {"en": 2}
    assert summary["translations"] == {"zh": 1}
    assert summary["language_mismatches"] == 1
    assert summary["translation_count"] == 1 and summary["reject_share"] == 0.0
    assert summary["quote_kinds"]["direct"] >= 2
    assert next(iter(summary["top_speakers"])) == "Sergei Lavrov"
    assert "articles by language: en 2" in run_cli("info", out).stdout
    # one count of speakers: the build's line, info, the report and the speakers table agree
    speakers = summary["speakers"]
    counts = run_cli("query", out, "select (select count(*) from speakers) as table_rows, "
                     "count(distinct speaker_id) as quoted from quotes", "--json")  # fmt: skip
    assert json.loads(counts.stdout) == {"table_rows": speakers, "quoted": speakers} and speakers >= 1
    assert f" by {counted(speakers, 'speaker')}, " in built.stderr
    assert f"most quoted of {counted(speakers, 'speaker')}: " in run_cli("info", out).stdout
    reported = run_cli("report", out, "--out", tmp_path / "report.html")
    assert f": {counted(speakers, 'speaker')}, " in reported.stderr, reported.stderr
    rows = run_cli("query", out, "select outlet, published from articles where outlet is not null", "--json")
    assert [json.loads(line) for line in rows.stdout.splitlines()] == [{"outlet": "UNN", "published": "2025-03-12"}]
    table = run_cli("query", out, "select language, count(*) as n from articles group by 1")
    assert table.returncode == 0
    assert "language" in table.stdout and "en" in table.stdout and "1 row" in table.stdout
    assert "1 rows" not in table.stdout


def test_a_one_article_build_is_counted_in_the_singular(tmp_path):
    built = run_cli("build", SEEDS / "000_7170616e22f55333.txt", "--out", tmp_path / "one", "--no-align")
    assert built.returncode == 0, built.stderr
    assert "1 article, " in built.stderr and "from 1 file " in built.stderr, built.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build",), "Missing argument"),
        (("build", "nowhere/at/all", "--out", "{tmp}/out"), "input not found: nowhere/at/all"),
        (("build", SEEDS, "--out", "{tmp}/file"), "exists and is not a directory"),
        (("build", SEEDS, "--out", "{tmp}/existing"), "already exists; pass --overwrite"),
        (("info", "{tmp}/missing"), "no snapshot at"),
        (("query", "{tmp}/existing", "selec nothing"), "query failed: Parser Error"),
        (("query", "{tmp}/existing", "select * from nope"), "query failed: Catalog Error"),
        (("frobnicate",), "No such command"),
    ],
)
def test_wrong_use_gives_one_line_and_a_nonzero_exit(tmp_path, args, message):
    (tmp_path / "file").write_text("a file, not a directory")
    run_cli("build", SEEDS / "000_7170616e22f55333.txt", "--out", tmp_path / "existing", "-q")
    result = run_cli(*(str(a).format(tmp=tmp_path) for a in args))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("quotetrace ")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGES = {
    "missing manifest": (lambda s: (s / "manifest.json").unlink(), "manifest.json is missing"),
    "missing table": (lambda s: (s / "quotes.parquet").unlink(), "missing table 'quotes'"),
    "unknown schema version": (
        lambda s: (s / "manifest.json").write_text(
            json.dumps({**json.loads((s / "manifest.json").read_text()), "schema_version": 99})
        ),
        "schema version 99",
    ),
    "truncated quotes": (lambda s: _truncate(s / "quotes.parquet"), "quotes"),
    "truncated speakers": (lambda s: _truncate(s / "speakers.parquet"), "speakers"),
}
READERS = {  # every command that reads a snapshot, as a user would call it on "{s}"
    "info": ("info", "{s}"),
    "query": ("query", "{s}", "select count(*) from quotes"),
    "duplicates": ("duplicates", "{s}"),
    "report": ("report", "{s}", "--out", "{tmp}/report.html"),
    "align": ("align", "{s}", "-q"),
    "build --base": ("build", SEEDS / "000_7170616e22f55333.txt", "--base", "{s}", "--out", "{tmp}/next", "-q"),
}


@pytest.fixture(scope="module")
def good_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    good = tmp_path_factory.mktemp("good") / "snapshot"
    assert run_cli("build", SEEDS, "--out", good, "--no-align", "-q").returncode == 0
    return good


@pytest.mark.slow
@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_every_command_refuses_a_damaged_snapshot_in_one_line(tmp_path, damage, good_snapshot):
    good = good_snapshot
    spoil, message = DAMAGES[damage]
    outcomes = {}
    for command, args in READERS.items():
        snapshot = tmp_path / "snapshot"
        shutil.rmtree(snapshot, ignore_errors=True)
        shutil.copytree(good, snapshot)
        spoil(snapshot)
        before = {p.name: p.read_bytes() for p in snapshot.iterdir()}
        result = run_cli(*(str(a).format(s=snapshot, tmp=tmp_path) for a in args))
        outcomes[command] = result.returncode
        if damage == "truncated speakers" and command == "build --base":
            assert result.returncode == 0, result.stderr  # an incremental build derives speakers anew
            continue
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), (command, result.stderr)
        assert message in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert {p.name: p.read_bytes() for p in snapshot.iterdir()} == before  # a refusal changes nothing
        assert not (tmp_path / "next").exists() and not (tmp_path / "report.html").exists()
    print(f"{damage}: exit codes {outcomes}")


def test_a_file_system_refusal_is_one_line(tmp_path):
    (tmp_path / "file").write_text("a file, not a folder")
    refused = run_cli("build", SEEDS, "--out", tmp_path / "file" / "snapshot", "--no-align", "-q")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: ") and refused.stderr.count("\n") == 1, refused.stderr
    assert str(tmp_path / "file") in refused.stderr


def test_a_closed_pipe_ends_a_command_silently(good_snapshot):
    command = [
        sys.executable,
        "-m",
        "quotetrace.cli",
        "query",
        str(good_snapshot),
        "select * from range(200000)",
        "--json",
    ]
    reader = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stdout.readline()  # then close the pipe, as `| head` does
    reader.stdout.close()
    assert reader.stderr is not None and reader.stderr.read() == b""
    assert reader.wait(timeout=60) != 0
