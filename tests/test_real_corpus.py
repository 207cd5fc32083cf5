"""The foundation build over real data: 97 GGT articles, 181 Scrapinghub HTML pages and a
JSONL file of NTREX documents in 10 languages, in one snapshot."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import NTREX_LANGUAGES, run_cli, write_ntrex_jsonl

from quotetrace import corpus
from quotetrace.corpus.normalize import clean_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_snapshot(data: Path, tmp_path_factory: pytest.TempPathFactory) -> corpus.Snapshot:
    tmp = tmp_path_factory.mktemp("real")
    feed = write_ntrex_jsonl(tmp / "ntrex.jsonl", documents=20)
    inputs = [data / "quotes" / "ggt" / "articles", data / "html" / "scrapinghub" / "html", feed]
    result = corpus.build_snapshot(inputs, tmp / "snapshot")
    assert result.inputs == 97 + 181 + 1
    return corpus.open_snapshot(result.path)


def test_every_real_input_becomes_an_article(real_snapshot):
    assert real_snapshot.table("rejects").num_rows == 0
    formats = Counter(real_snapshot.table("articles", ["input_format"]).column(0).to_pylist())
    duplicates = Counter(Path(s).suffix for s in real_snapshot.table("duplicates", ["source"]).column(0).to_pylist())
    assert formats["txt"] + duplicates[".txt"] == 97
    assert formats["html"] + duplicates[".gz"] == 181
    assert formats["jsonl"] == 20 * len(NTREX_LANGUAGES)


def test_query_answers_over_the_real_snapshot(real_snapshot):
    sql = "select language, count(*) as n from articles group by 1 order by 2 desc"
    result = run_cli("query", real_snapshot.path, sql, "--json")
    counts = {row["language"]: row["n"] for row in map(json.loads, result.stdout.splitlines())}
    assert counts["en"] >= 97 + 150 + 20
    for code in NTREX_LANGUAGES.values():
        assert counts[code] >= 20


def test_ntrex_languages_are_detected_per_article_and_paragraph(real_snapshot):
    rows = real_snapshot.query(
        "select external_id, language, language_confidence from articles where input_format = 'jsonl'"
    ).to_pylist()
    wrong = [r for r in rows if r["language"] != NTREX_LANGUAGES[r["external_id"].rsplit(".", 1)[1]]]
    assert wrong == []
    paragraphs = real_snapshot.query(
        "select a.external_id, p.language from paragraphs p join articles a using (article_id) "
        "where a.input_format = 'jsonl' and length(p.text) >= 60"
    ).to_pylist()
    right = sum(p["language"] == NTREX_LANGUAGES[p["external_id"].rsplit(".", 1)[1]] for p in paragraphs)
    assert right / len(paragraphs) >= 0.97, f"{right}/{len(paragraphs)} paragraph languages right"


def test_normalization_keeps_every_annotated_ggt_quote_in_the_text(real_snapshot, data):
    """GGT's human-annotated quotes (sfu-discourse-lab/GenderGapTracker, MIT) must all survive
    normalization: nothing a quote stage needs is lost as boilerplate."""
    texts = {
        Path(r["source"]).name: r["text"]
        for r in real_snapshot.query("select source, text from articles where input_format = 'txt'").to_pylist()
    }
    gold = [json.loads(line) for line in (data / "quotes" / "ggt" / "gold.jsonl").read_text().splitlines()]
    missing = []
    total = 0
    for article in gold:
        text = texts.get(Path(article["doc"]).name)
        if text is None:
            continue  # an exact duplicate of another article: its text is that article's
        for quote in article["quotes"]:
            total += 1
            if " ".join(clean_text(quote["text"]).split()) not in " ".join(text.split()):
                missing.append(quote["text"][:80])
    assert total > 1300
    assert missing == []


def test_html_pages_get_titles_dates_and_outlets(real_snapshot):
    rows = real_snapshot.query("select title, published, outlet, url from articles where input_format = 'html'")
    rows = rows.to_pylist()
    assert sum(r["title"] is not None for r in rows) >= 0.95 * len(rows)
    assert sum(r["published"] is not None for r in rows) >= 0.8 * len(rows)
    assert sum(r["outlet"] is not None for r in rows) >= 0.95 * len(rows)
