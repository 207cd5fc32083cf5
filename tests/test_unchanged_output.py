"""Reshaping the code changes no output: the seeds and the example articles, built by the code of
REFERENCE (checked out with `git archive`) and by this tree with the attribution tagger off (the
one change of output on purpose since), give byte-identical Parquet files.

REFERENCE is the last commit before the move into one `quotetrace` namespace (issue 20), whose
layout was the old top-level `corpus` / `align` modules. A change that alters the output on
purpose re-pins REFERENCE to the last commit whose output it keeps, or drops this test in its
own commit, saying why.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import REPO, SEEDS

REFERENCE = "762da2c"
INPUTS = {"seeds": SEEDS, "examples": REPO / "examples"}

_OLD = """
import sys
from align.encoder import HashEncoder
from align.stage import build_and_align
from corpus import BuildOptions
if __name__ == "__main__":
    build_and_align([sys.argv[1]], sys.argv[2], BuildOptions(workers=2), encoder=HashEncoder())
"""
_NEW = """
import sys
import quotetrace
from quotetrace.corpus.attribution.learned import TaggerOptions
if __name__ == "__main__":
    options = quotetrace.BuildOptions(workers=2, tagger=TaggerOptions(enabled=False))
    quotetrace.build([sys.argv[1]], sys.argv[2], options, encoder=quotetrace.HashEncoder())
"""


def _reference_tree(dest: Path) -> Path:
    archive = subprocess.run(["git", "archive", REFERENCE], cwd=REPO, capture_output=True, timeout=120)
    if archive.returncode != 0:
        pytest.skip(f"commit {REFERENCE} is not in this clone (a shallow clone?): {archive.stderr.decode()[:200]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _build(script: str, inputs: Path, out: Path, pythonpath: Path | None) -> None:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    path = out.parent / f"{out.name}.py"
    path.write_text(script)
    result = subprocess.run([sys.executable, str(path), str(inputs), str(out)], cwd=out.parent, env=env,
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_the_snapshot_is_byte_identical_to_the_reference_build(name: str, tmp_path: Path):
    old_code = _reference_tree(tmp_path / "reference")
    _build(_OLD, INPUTS[name], tmp_path / "before", old_code)
    _build(_NEW, INPUTS[name], tmp_path / "after", None)
    before = sorted(p.name for p in (tmp_path / "before").glob("*.parquet"))
    after = sorted(p.name for p in (tmp_path / "after").glob("*.parquet"))
    assert before == after and "quotes.parquet" in after
    differing = [f for f in after if (tmp_path / "before" / f).read_bytes() != (tmp_path / "after" / f).read_bytes()]
    assert differing == []
