"""The two articles the product was specified from: exact expectations."""

from __future__ import annotations

from datetime import date

from conftest import seed_article


def test_seed_000_is_a_machine_translation_of_a_toutiao_article(seeds_snapshot):
    article = seed_article(seeds_snapshot, "000")
    assert article["language"] == "en"
    assert article["language_source"] == "detected"
    assert article["language_confidence"] > 0.9
    assert article["is_translation"] is True
    assert article["original_outlet"] == "toutiao.com"
    assert article["original_url"] == "toutiao.com/article/1856696251873280/"
    assert article["translated_from"] == "zh"
    assert article["provenance_evidence"] == "Original: toutiao.com/article/1856696251873280/"
    assert article["title"] == (
        "Raevsky said the U.S. does not support the European military intervention in the Ukraine situation"
    )


def test_seed_000_disclaimer_and_provenance_are_set_aside_not_lost(seeds_snapshot):
    article = seed_article(seeds_snapshot, "000")
    kinds = {entry["kind"]: entry["text"] for entry in article["boilerplate"]}
    assert kinds["disclaimer"] == "Statement: This article only represents the views of the author himself"
    assert kinds["provenance"].startswith("Original: toutiao.com")
    assert "Statement:" not in article["text"]
    assert "toutiao" not in article["text"]
    assert "Raevsky" not in article["text"]  # the headline lives in `title`
    assert article["text"].startswith("Foreign Minister of Russia Sergei Lavrov said on February 9")
    assert article["text"].endswith("legitimate target of the Russian armed forces.")
    assert len(article["paragraphs"]) == 6


def test_seed_002_header_dateline_and_section_markers(seeds_snapshot):
    article = seed_article(seeds_snapshot, "002")
    assert article["published"] == date(2025, 3, 12)
    assert article["outlet"] == "UNN"
    assert article["dateline_place"] == "Kyiv"
    assert article["title"].startswith('"Under no circumstances"')
    assert article["title"].endswith("Lavrov opposes the possible introduction of a foreign contingent into Ukraine")
    markers = [entry["text"] for entry in article["boilerplate"] if entry["kind"] == "section_marker"]
    assert markers == ["Details", "Remind"]
    assert "Details" not in article["paragraphs"] and "Remind" not in article["paragraphs"]
    assert "Kyiv • UNN" not in article["text"]
    assert "date 2025-03-12" not in article["text"]
    # the unmarked block quote stays body text, as its own paragraph
    assert any(p.startswith("Under no circumstances. No one talks to us") for p in article["paragraphs"])


def test_seed_002_is_flagged_as_in_another_language_than_its_outlet(seeds_snapshot):
    article = seed_article(seeds_snapshot, "002")
    assert article["language"] == "en"
    assert article["outlet_language"] == "uk"
    assert article["language_mismatch"] is True
    assert article["is_translation"] is False  # no marker says so: flagged, not asserted


def test_boilerplate_positions_rebuild_the_original_line_order(seeds_snapshot, data):
    article = seed_article(seeds_snapshot, "002")
    lines = list(article["paragraphs"])
    for entry in article["boilerplate"]:  # sorted by position
        lines.insert(entry["position"], entry["text"])
    lines[0] = f"{lines[0]} {article['title']}"  # the header line held the date and the title
    original = [line.strip() for line in (data / "seeds" / "002_6571fc55b31060f4.txt").read_text().splitlines()]
    assert lines == [line for line in original if line]


def test_paragraphs_table_offsets_point_into_article_text(seeds_snapshot):
    articles = {row["article_id"]: row for row in seeds_snapshot.table("articles").to_pylist()}
    paragraphs = seeds_snapshot.table("paragraphs").to_pylist()
    assert len(paragraphs) == sum(len(a["paragraphs"]) for a in articles.values())
    for paragraph in paragraphs:
        text = articles[paragraph["article_id"]]["text"]
        assert text[paragraph["start"] : paragraph["end"]] == paragraph["text"]
        assert paragraph["language"] == "en"
