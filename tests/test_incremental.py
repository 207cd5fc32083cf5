"""Incremental builds (``--base``): a new snapshot from an old one plus new articles equals a build
of everything from scratch, reuses what did not change, and leaves the old snapshot untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, run_cli, write_ntrex_jsonl

import quotetrace
from quotetrace import corpus, errors
from quotetrace.corpus.compare import snapshot_differences


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, encoder):
    """Base: the seeds and two NTREX documents in en/ru/de. New: the same documents in Ukrainian
    (translations of base articles) and the WMT22 Lavrov example (new speakers' statements)."""
    work = tmp_path_factory.mktemp("incremental")
    base_inputs, new_inputs = work / "base-inputs", work / "new-inputs"
    shutil.copytree(SEEDS, base_inputs)
    write_ntrex_jsonl(base_inputs / "ntrex.jsonl", 2, ("eng", "rus", "deu"))
    new_inputs.mkdir()
    write_ntrex_jsonl(new_inputs / "ntrex-uk.jsonl", 2, ("ukr",))
    shutil.copy(REPO / "examples" / "wmt22_lavrov.jsonl", new_inputs)
    shutil.copy(base_inputs / "ntrex.jsonl", new_inputs / "ntrex-again.jsonl")  # already in the base
    full = quotetrace.build([base_inputs, new_inputs], work / "full", encoder=encoder)
    quotetrace.build([base_inputs], work / "base", encoder=encoder)
    before = digest(work / "base")
    added = quotetrace.build([new_inputs], work / "incremental", encoder=encoder, base=work / "base")
    return {"work": work, "full": full, "added": added, "base_digest": before, "new_inputs": new_inputs}


def test_incremental_build_equals_a_build_from_scratch(builds):
    work = builds["work"]
    full, incremental = corpus.open_snapshot(work / "full"), corpus.open_snapshot(work / "incremental")
    assert snapshot_differences(full, incremental) == []
    links = incremental.query("select count(*) as n from article_links where relation = 'translation'")
    assert links.column("n")[0].as_py() >= 6  # the Ukrainian articles found their originals
    lavrov = incremental.query("select count(*) as n from quotes where speaker like '%Lavrov%'")
    assert lavrov.column("n")[0].as_py() >= 3  # seeds (base) and the WMT22 example (new)


def test_incremental_build_reuses_the_base_and_records_it(builds):
    work = builds["work"]
    built, aligned = builds["added"]
    base = corpus.open_snapshot(work / "base")
    manifest = corpus.open_snapshot(work / "incremental").manifest
    base_articles = base.manifest["tables"]["articles"]["rows"]
    assert built.reused_articles == base_articles
    assert built.new_articles == 2 + 3  # two Ukrainian documents, the three WMT22 wordings
    assert built.duplicates == 6  # the base's NTREX file given again
    assert manifest["base"]["path"] == str(base.path)
    assert manifest["base"]["reused"]["articles"] == base_articles
    # no old quote encoded again (projected quotes are the align stage's: projected anew, their
    # vectors the sentences')
    extracted = [e for e in base.table("quotes").column("evidence").to_pylist() if e != "projected"]
    assert aligned.reused == len(extracted)
    assert 0 < aligned.encoded < aligned.quotes
    # no sentence encoded twice: the base's vectors are taken over, the new articles' come from the
    # attribution tagger's pass over them
    assert manifest["align"]["sentences_reused"] == manifest["tables"]["sentences"]["rows"]
    assert manifest["align"]["sentences_encoded"] == 0
    assert 0 < manifest["align"]["article_candidates_reused"] < manifest["align"]["article_candidates"]
    assert len(manifest["inputs"]) == len(base.manifest["inputs"]) + 3


def test_base_snapshot_is_left_untouched(builds):
    assert digest(builds["work"] / "base") == builds["base_digest"]


def test_cli_base_and_its_errors(builds):
    work = builds["work"]
    result = run_cli("build", builds["new_inputs"], "--base", work / "base", "--out", work / "cli", "--no-align")
    assert result.returncode == 0, result.stderr
    assert "taken over from" in result.stderr
    assert corpus.open_snapshot(work / "cli").manifest["base"]["path"] == str((work / "base").absolute())
    same = run_cli("build", builds["new_inputs"], "--base", work / "base", "--out", work / "base", "--overwrite")
    assert same.returncode != 0 and "Traceback" not in same.stderr
    assert "--base and --out are both" in same.stderr
    missing = run_cli("build", builds["new_inputs"], "--base", work / "nowhere", "--out", work / "x")
    assert missing.returncode != 0 and "no snapshot at" in missing.stderr and "Traceback" not in missing.stderr
    assert digest(work / "base") == builds["base_digest"]


def test_a_base_built_with_other_options_is_refused(builds):
    from quotetrace.corpus.build import BuildOptions
    from quotetrace.corpus.language import LanguageOptions

    work = builds["work"]
    options = BuildOptions(language=LanguageOptions(min_paragraph_chars=10), workers=1)
    with pytest.raises(errors.SnapshotError, match=r"other options \(language\)"):
        corpus.build_snapshot([builds["new_inputs"]], work / "other", options, base=work / "base")
    assert not (work / "other").exists()
    corpus.build_snapshot([builds["new_inputs"]], work / "one-worker", BuildOptions(workers=1), base=work / "base")


def test_comparison_tolerates_rounding_noise_but_not_changes():
    import polars as pl

    from quotetrace.corpus.compare import table_differences

    base = pl.DataFrame({
        "pair": ["a-b", "a-c"], "relation": ["translation", "copy"], "score": [0.8312, 0.5],
        "evidence": ["83% of sentences aligned, mean cosine 0.912", "50% aligned"],
        "groups": [[{"a": [0], "b": [0], "cosine": 0.9}], [{"a": [1], "b": [], "cosine": None}]],
    })  # fmt: skip
    noisy = base.with_columns(
        score=pl.Series([0.8313, 0.5]),
        evidence=pl.Series(["84% of sentences aligned, mean cosine 0.911", "50% aligned"]),
        groups=pl.Series([[{"a": [0], "b": [0], "cosine": 0.9000001}], [{"a": [1], "b": [], "cosine": None}]]),
    )
    assert table_differences(base, noisy) == []
    changed = base.with_columns(
        relation=pl.Series(["translation", "same_story"]),
        evidence=pl.Series(["40% of sentences aligned, mean cosine 0.912", "50% aligned"]),
    )
    assert table_differences(base, changed) == ["column relation: 1 rows differ", "column evidence: 1 rows differ"]
