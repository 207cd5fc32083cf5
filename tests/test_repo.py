"""The repository keeps its promises: the README's commands and examples run (and those of
docs/queries.md), the schema page matches `schemas`, CI runs the README's test command, the README
stays a short user's document whose links lead somewhere, the code is ruff clean."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import duckdb
import pytest
from conftest import REPO, ntrex_documents

import quotetrace
from quotetrace import corpus
from quotetrace.corpus.normalize import clean_text
from quotetrace.report import write_report

README = (REPO / "README.md").read_text(encoding="utf-8")
QUERIES = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")


def fenced(language: str, text: str = README) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


# The answers to common questions must answer them on the examples, not just run.
COMMON_QUESTIONS = QUERIES.split("## Common questions", 1)[1].split("\n## ", 1)[0]
PYTHON_EXAMPLES = fenced("python") + fenced("python", QUERIES)
SQL_EXAMPLES = fenced("sql") + fenced("sql", QUERIES)


def test_ci_runs_exactly_the_readme_test_command():
    bash_blocks = [block.strip() for block in fenced("bash")]
    test_command = next(block for block in bash_blocks if "pytest" in block)
    ci = (REPO / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_schema_page_is_generated_from_schemas():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import schema_docs
    finally:
        sys.path.pop(0)
    page = (REPO / "docs" / "schemas.md").read_text(encoding="utf-8")
    assert schema_docs.BEGIN in page and "### `quotes`" in page
    assert schema_docs.page_with_schemas(page) == page, "run: python scripts/schema_docs.py --write"


def test_readme_is_short_and_its_links_lead_somewhere():
    assert len(README.splitlines()) <= 300
    for page in ("README.md", *(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))):
        text = (REPO / page).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if not target.startswith("http"):
                assert ((REPO / page).parent / target).exists(), f"{page} links to missing {target}"
    from quotetrace import schemas

    tables = README.split("## Tables in brief", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{name}`" in tables for name in schemas.TABLES)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, encoder):
    """A user's directory: the README's main job has run on examples/ into snapshot/ and report.html."""
    work = tmp_path_factory.mktemp("user")
    shutil.copytree(REPO / "examples", work / "examples")
    quotetrace.build([REPO / "examples"], work / "snapshot", encoder=encoder)
    write_report(work / "snapshot", work / "report.html")
    return work


def test_main_job_on_the_examples(workdir):
    snapshot = corpus.open_snapshot(workdir / "snapshot")
    assert snapshot.table("rejects").num_rows == 0
    languages = dict(snapshot.query("select language, count(*) from articles group by 1").to_pylist()[0].items())
    assert languages
    rows = snapshot.query("select title, language, paragraphs from articles where source like '%cp1251%'").to_pylist()
    assert rows[0]["language"] == "ru"
    russian = next(d for d in ntrex_documents() if d["doc_id"] == "nytimes.184853")["sentences"]["rus"]
    assert [rows[0]["title"], *rows[0]["paragraphs"]] == [clean_text(s) for s in russian]
    assert snapshot.manifest["tables"]["articles"]["rows"] == 2 + 20 + 1 + 2 + 3
    assert "Sergei Lavrov" in (workdir / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("index", range(len(PYTHON_EXAMPLES)))
def test_python_examples_run(workdir, index):
    code = PYTHON_EXAMPLES[index]
    offline = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
               "HF_DATASETS_CACHE": str(workdir / "hf-cache")}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=300, env=offline
    )
    assert result.returncode == 0, result.stderr
    if code in fenced("python", COMMON_QUESTIONS):
        assert result.stdout.strip() and "shape: (0," not in result.stdout and "num_rows: 0" not in result.stdout


@pytest.mark.parametrize("index", range(len(SQL_EXAMPLES)))
def test_duckdb_examples_run(workdir, index):
    sql = SQL_EXAMPLES[index]
    connection = duckdb.connect()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        for statement in filter(str.strip, sql.split(";")):
            body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--"))
            if body.strip():
                rows = connection.execute(body).fetchall()
                if sql in fenced("sql", COMMON_QUESTIONS):
                    assert rows, f"no answer on the examples: {body}"


def test_code_is_ruff_clean():
    if shutil.which("ruff") is None and subprocess.run([sys.executable, "-m", "ruff", "--version"]).returncode:
        pytest.fail("ruff is part of the test extras: pip install -e '.[test]'")
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run([sys.executable, "-m", "ruff", *args, "."], cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
