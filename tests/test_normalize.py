"""Normalization: text repair, paragraphs, header lines, datelines, boilerplate."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from quotetrace.corpus.dates import parse_date
from quotetrace.corpus.normalize import clean_text, looks_like_headline, normalize_row, split_paragraphs
from quotetrace.corpus.read import RAW_SCHEMA


def normalized(content: str, **fields) -> dict:
    row = {name: None for name in RAW_SCHEMA.names} | {"source": "t.txt", "input_format": "txt", "content": content}
    return normalize_row(row | fields)


def test_mojibake_nfc_and_odd_spaces_are_repaired():
    mojibake = "Ð¡ÐµÑ€Ð³ÐµÐ¹ Ð›Ð°Ð²Ñ€Ð¾Ð² donâ€™t"  # UTF-8 read as cp1252
    assert clean_text(mojibake) == "Сергей Лавров don’t"
    assert clean_text("Orba\u0301n") == "Orbán"  # decomposed → NFC
    assert clean_text("a\u00a0b\u2009c\u200bd\t\te  ") == "a b cd e"
    assert clean_text("«Ни при каких условиях», — сказал он") == "«Ни при каких условиях», — сказал он"
    assert clean_text("原文：toutiao.com") == "原文：toutiao.com"  # fullwidth punctuation is kept


def test_hard_wrapped_lines_are_rejoined_but_lines_that_are_paragraphs_are_not():
    wrapped = (
        "Russian Foreign Minister Sergey Lavrov said that Russia is not\n"
        "going to agree to the introduction of a foreign contingent\n"
        "into Ukraine.\n\nHe noted this in an interview.\n\nA third paragraph here."
    )
    assert split_paragraphs(wrapped)[0] == (
        "Russian Foreign Minister Sergey Lavrov said that Russia is not going to agree to the "
        "introduction of a foreign contingent into Ukraine."
    )
    assert split_paragraphs("Details\nSergei Lavrov stated that.\nRemind") == [
        "Details", "Sergei Lavrov stated that.", "Remind",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("first_line", "expected_place", "expected_outlet", "body_start"),
    [
        ("MOSCOW, Feb 9 (Reuters) - Russia said on Sunday", "Moscow", "Reuters", "Russia said"),
        ("KYIV, Ukraine (AP) — Ukraine's president said", "Kyiv", "AP", "Ukraine's president"),
        ("WASHINGTON (Reuters) - The U.S. Senate voted", "Washington", "Reuters", "The U.S. Senate"),
        ("OTTAWA — The federal government said", "Ottawa", None, "The federal government"),
        ("МОСКВА, 9 февраля. /ТАСС/. Министр иностранных дел заявил", "Москва", "ТАСС", "Министр"),
    ],
)
def test_wire_datelines_are_cut_from_the_first_paragraph(first_line, expected_place, expected_outlet, body_start):
    article = normalized(f"{first_line} that talks would go on.\nA second paragraph follows here.")
    assert article["dateline_place"] == expected_place
    assert article["outlet"] == expected_outlet
    assert article["paragraphs"][0].startswith(body_start)
    assert article["boilerplate"][0]["kind"] == "dateline"


def test_standalone_dateline_line_gives_place_and_outlet_but_input_outlet_wins():
    article = normalized("Київ • УНН\nСергій Лавров заявив, що Росія не погодиться.", outlet="Given outlet")
    assert article["dateline_place"] == "Київ"
    assert article["outlet"] == "Given outlet"


def test_given_title_repeated_as_first_line_is_not_kept_twice():
    article = normalized(
        "Lavrov rejects peacekeepers\nLavrov said on Sunday that Russia would refuse.",
        title="Lavrov rejects peacekeepers",
    )
    assert article["paragraphs"] == ["Lavrov said on Sunday that Russia would refuse."]
    assert article["title"] == "Lavrov rejects peacekeepers"


@pytest.mark.parametrize(
    ("line", "is_headline"),
    [
        ("Raevsky said the U.S. does not support the European military intervention in the Ukraine situation", True),
        ("Stealth Over Health: Hillary Clinton Was Headed to ER But Diverted to Avoid Bad Optics.", True),
        (
            "The question was common for mayoral candidates to hear back in the October municipal election: what do "
            "you think of ride-hailing and should it come to Metro Vancouver?",
            False,
        ),
        ("Lavrov said on February 9 that the U.S. will not help.", False),
        ("拉夫罗夫：美国不支持欧洲军事介入乌克兰局势", True),
        ("and then he said", False),
        ("The most popular punching bag in golf finally said “no mas.”", False),
        ("OTTAWA — Conservative Leader Andrew Scheer says Trudeau is the most divisive", False),
    ],
)
def test_headline_detection(line, is_headline):
    assert looks_like_headline(line) is is_headline


@pytest.mark.parametrize(
    ("paragraph", "kind"),
    [
        ("Details", "section_marker"),
        ("Remind:", "section_marker"),
        ("Нагадаємо", "section_marker"),
        ("Подробности", "section_marker"),
        ("Read also: Zelensky met Starmer in London", "related_link"),
        ("Читайте також: Зеленський зустрівся зі Стармером", "related_link"),
        ("Statement: This article only represents the views of the author himself", "disclaimer"),
        ("声明：本文仅代表作者本人观点", "disclaimer"),
        ("Original: toutiao.com/article/1856696251873280/", "provenance"),
        ("Story continues below advertisement", "advertisement"),  # 53 times in GGT's Globe and Mail pages
        ("Advertisement", "advertisement"),
        ("Источник: ria.ru", "provenance"),
        ("Details of the agreement were not disclosed.", None),
        ("Read also the statement he made in 2019, which said that the troops would stay.", None),
    ],
)
def test_boilerplate_kinds(paragraph, kind):
    article = normalized(f"Lavrov said that Russia will not agree.\n{paragraph}\nThe talks go on.")
    kinds = [entry["kind"] for entry in article["boilerplate"] if entry["text"] == paragraph]
    assert kinds == ([kind] if kind else [])
    assert (paragraph in article["paragraphs"]) is (kind is None)


def test_text_with_only_boilerplate_is_an_error_not_an_empty_article():
    article = normalized("Details\nRemind")
    assert article["error"].startswith("empty:")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-12", date(2025, 3, 12)),
        ("2025-03-12T10:31:00Z", date(2025, 3, 12)),
        ("12.03.2025", date(2025, 3, 12)),
        ("March 12, 2025", date(2025, 3, 12)),
        ("12 марта 2025", date(2025, 3, 12)),
        ("12 березня 2025", date(2025, 3, 12)),
        ("12. März 2025", date(2025, 3, 12)),
        ("12 de marzo de 2025", date(2025, 3, 12)),
        ("2025年3月12日", date(2025, 3, 12)),
        ("not a date", None),
        ("2025-13-45", None),
        ("1741737600", date(2025, 3, 12)),  # Unix seconds (a feed's number, read as text)
        (1741737600, date(2025, 3, 12)),
        (1741737600000, date(2025, 3, 12)),  # milliseconds
        ("1741737600.25", date(2025, 3, 12)),
        ("20250312", date(2025, 3, 12)),
        ("20251340", None),
        ("12", None),  # a number that is no date we can be sure of
        ("99999999999", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_date_header_line_sets_published():
    article = normalized("Published: 12 March 2025\nLavrov said that Russia will not agree.\nThe talks go on.")
    assert article["published"] == date(2025, 3, 12)
    assert article["boilerplate"][0] == {"kind": "header", "text": "Published: 12 March 2025", "position": 0}


def test_article_id_is_a_stable_hash_of_the_text():
    a = normalized("Lavrov said that Russia will not agree.\nThe talks go on.")
    b = normalized("  Lavrov said that Russia will not agree.  \n\nThe talks go on.\n", source="other.txt")
    assert a["article_id"] == b["article_id"]
    assert len(a["article_id"]) == 16
    assert pa.scalar(a["article_id"]).is_valid
