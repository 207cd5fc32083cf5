"""The language detector is langdetect's method over NumPy: it must read the same n-grams as
langdetect itself and reach the same answers on real sentences."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import NTREX_LANGUAGES, ntrex_documents
from langdetect import DetectorFactory, detector_factory

from quotetrace.corpus.language import _ngrams, _prepared, _profiles, language_of


@pytest.fixture(scope="module")
def langdetect_factory() -> detector_factory.DetectorFactory:
    DetectorFactory.seed = 0
    detector_factory.init_factory()
    return detector_factory._factory


def langdetect_ngrams(factory, text: str) -> Counter:
    detector = factory.create()
    detector.append(text)
    detector.cleaning_text()
    return Counter(detector._extract_ngrams())


def our_ngrams(text: str) -> Counter:
    profiles = _profiles()
    return Counter(gram for gram in _ngrams(_prepared(text, 10_000), profiles.normalize) if gram in profiles.rows)


EDGE_CASES = [
    "NATO and the EU met in BRUSSELS; McDONALD's said OK.",  # runs of capitals stop n-grams
    "Tiếng Việt có dấu: Hà Nội, Thành phố Hồ Chí Minh.",  # Vietnamese marks are composed first
    "See https://example.com/a?b=c or write to press@example.org now",  # URLs and mail dropped
    "Лавров заявил: «Ни при каких обстоятельствах». Lavrov RIA Novosti",  # mostly Cyrillic: Latin dropped
    "拉夫罗夫表示，俄方不会接受。ひらがなカタカナ한국어",
    "   spaces   between\twords\nand lines  ",
    "A",
]


def test_ngrams_are_langdetects_own(langdetect_factory):
    texts = list(EDGE_CASES)
    for document in ntrex_documents(3):
        texts.extend(" ".join(sentences[:4]) for sentences in document["sentences"].values())
    assert len(texts) >= 30
    for text in texts:
        assert our_ngrams(text) == langdetect_ngrams(langdetect_factory, text), text


def test_answers_match_langdetect_on_real_paragraphs(langdetect_factory):
    agree = total = right = 0
    for document in ntrex_documents(6):
        for code, sentences in document["sentences"].items():
            for start in range(0, len(sentences), 3):
                paragraph = " ".join(sentences[start : start + 3])
                ours, confidence = language_of(paragraph, 1000, 3)
                detector = langdetect_factory.create()
                detector.n_trial = 3
                detector.append(paragraph[:1000])
                theirs = {"zh-cn": "zh", "zh-tw": "zh"}.get(detector.detect(), detector.detect())
                agree += ours == theirs
                right += ours == NTREX_LANGUAGES[code]
                total += 1
                assert 0.0 < confidence <= 1.0
    assert total >= 300
    assert agree / total >= 0.98, f"agree with langdetect on {agree}/{total}"
    assert right / total >= 0.98, f"right on {right}/{total}"


def test_answers_are_deterministic_and_texts_without_letters_have_none():
    text = "Der Außenminister sagte, man werde das Angebot prüfen."
    assert language_of(text) == language_of(text) == ("de", language_of(text)[1])
    assert language_of("12345 !!! ---") == (None, 0.0)
    assert language_of("") == (None, 0.0)
