"""The `quotetrace` command as a user meets it: help with examples, one-line errors, output."""

from __future__ import annotations

import json

import pytest
from conftest import SEEDS, run_cli

from align.cli import app

COMMANDS = sorted(command.name or command.callback.__name__ for command in app.registered_commands)


def test_commands_of_the_contract_exist():
    assert {"build", "info", "query"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example:" in result.stdout
    assert f"quotetrace {command} " in result.stdout


def test_build_info_and_query_end_to_end(tmp_path):
    out = tmp_path / "snapshot"
    built = run_cli("build", SEEDS, "--out", out)
    assert built.returncode == 0, built.stderr
    assert "2 articles" in built.stderr and "0 rejects" in built.stderr
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
    rows = run_cli("query", out, "select outlet, published from articles where outlet is not null", "--json")
    assert [json.loads(line) for line in rows.stdout.splitlines()] == [{"outlet": "UNN", "published": "2025-03-12"}]
    table = run_cli("query", out, "select language, count(*) as n from articles group by 1")
    assert table.returncode == 0
    assert "language" in table.stdout and "en" in table.stdout and "1 rows" in table.stdout


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
