"""Translation provenance: markers in many languages, the outlet → language table."""

from __future__ import annotations

import pyarrow as pa
import pytest

from quotetrace.corpus.build import BuildOptions, process_batch
from quotetrace.corpus.provenance import domain_of, language_code, match_line, outlet_language
from quotetrace.corpus.read import RAW_SCHEMA, _jsonl_row

BODY = "Der russische Außenminister Sergej Lawrow sagte, dass Russland der Entsendung nicht zustimmen werde."
EN_BODY = (
    "Foreign Minister of Russia Sergei Lavrov said on February 9 that if European countries decide to deploy "
    "troops in Ukraine, the U.S. authorities will not provide assistance."
)


def article(text: str, **fields) -> dict:
    row = _jsonl_row("t.jsonl:1", {"text": text, **fields})
    articles, rejects, *_ = process_batch(pa.Table.from_pylist([row], schema=RAW_SCHEMA), BuildOptions(workers=1))
    assert rejects.num_rows == 0
    return articles.to_pylist()[0]


@pytest.mark.parametrize(
    ("line", "marker", "value"),
    [
        ("Original: toutiao.com/article/1856696251873280/", "Original", "toutiao.com/article/1856696251873280/"),
        ("Source: https://www.spiegel.de/politik/a-123", "Source", "https://www.spiegel.de/politik/a-123"),
        ("Source : lemonde.fr", "Source", "lemonde.fr"),
        ("Оригинал: https://ria.ru/20250209/lavrov.html", "Оригинал", "https://ria.ru/20250209/lavrov.html"),
        ("Источник: ТАСС", "Источник", "ТАСС"),
        ("Джерело: unn.ua", "Джерело", "unn.ua"),
        ("原文：https://www.toutiao.com/article/1/", "原文", "https://www.toutiao.com/article/1/"),
        ("来源：新华社", "来源", "新华社"),
        ("Quelle: dpa", "Quelle", "dpa"),
        ("Translated from Chinese", "Translated from", "Chinese"),
        ("Переведено с английского", "Переведено с", "английского"),
        ("This article first appeared on theguardian.com", "This article first appeared on", "theguardian.com"),
    ],
)
def test_provenance_lines(line, marker, value):
    found = match_line(line)
    assert found is not None
    assert (found.marker, found.value) == (marker, value)


@pytest.mark.parametrize(
    "line",
    [
        "Source: a person familiar with the matter said the talks had stalled for weeks and might not resume soon",
        "Aus dem Vulkan Popocatepetl ausgeworfene Asche hat die Stadt bedeckt",
        "Originally, the plan was different.",
        "Translated from memory, the quote is uncertain",
    ],
)
def test_sentences_that_start_like_markers_are_not_provenance(line):
    assert match_line(line) is None


def test_domains_and_outlet_languages():
    assert domain_of("toutiao.com/article/1856696251873280/") == "toutiao.com"
    assert domain_of("https://www.ria.ru/x") == "ria.ru"
    assert domain_of("ТАСС") is None
    assert outlet_language("m.toutiao.com") == "zh"
    assert outlet_language("UNN") == "uk"
    assert outlet_language(None, "https://news.example.ua/a/1") == "uk"  # national TLD, the weak fallback
    assert outlet_language("Some Blog") is None
    assert language_code("Chinese") == "zh"
    assert language_code("китайского") == "zh"
    assert language_code("Klingon") is None


def test_original_marker_pointing_at_another_language_outlet_is_a_translation():
    row = article(f"{EN_BODY}\nOriginal: https://ria.ru/20250209/lavrov.html")
    assert row["is_translation"] is True
    assert row["translated_from"] == "ru"
    assert row["original_outlet"] == "ria.ru"
    assert row["original_url"] == "https://ria.ru/20250209/lavrov.html"


def test_source_in_the_same_language_is_a_republication_not_a_translation():
    row = article(f"{EN_BODY}\nSource: https://www.reuters.com/world/europe/lavrov-1")
    assert row["is_translation"] is False
    assert row["translated_from"] is None
    assert row["original_outlet"] == "reuters.com"
    assert row["provenance_evidence"] == "Source: https://www.reuters.com/world/europe/lavrov-1"


def test_translated_from_marker_names_the_language():
    row = article(f"{EN_BODY}\nTranslated from Russian by our newsroom")
    assert row["is_translation"] is True
    assert row["translated_from"] == "ru"


def test_german_article_with_quelle_line_of_a_german_outlet():
    row = article(f"{BODY}\nQuelle: spiegel.de")
    assert row["language"] == "de"
    assert row["is_translation"] is False
    assert row["original_outlet"] == "spiegel.de"


def test_given_language_wins_and_mismatch_uses_it():
    row = article(EN_BODY, language="en-GB", outlet="TASS")
    assert (row["language"], row["language_source"], row["language_confidence"]) == ("en", "input", 1.0)
    assert row["outlet_language"] == "ru"
    assert row["language_mismatch"] is True
