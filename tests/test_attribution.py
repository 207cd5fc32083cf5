"""The learned attribution tagger: the head the package ships, what it marks in languages it never
saw in training, and what it adds to a build of real multilingual news."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

import quotetrace
from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.attribution.tagger import WEIGHTS, load_head, tag

CROSS_OUTLET = DATA / "quotes" / "cross_outlet_dev"


def test_the_shipped_head_is_small_and_says_how_it_was_made():
    path = Path(quotetrace.corpus.__file__).parent / "attribution" / WEIGHTS
    assert path.stat().st_size <= 5 * 1024 * 1024
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as weights:
        about = json.loads(weights.metadata()["about"])
    assert "PolNeAR train" in about["trained_on"] and about["script"] == "scripts/train_attribution.py"
    _, shape = load_head(path)
    assert shape.layer == 6


@pytest.mark.parametrize(
    ("sentence", "content", "cue", "source"),
    [
        ("27 Menschen seien zudem verletzt worden, meldete die Syrische Beobachtungsstelle für Menschenrechte.",
         "27 Menschen seien zudem verletzt worden", "meldete", "Syrische Beobachtungsstelle"),
        ("Il ministro ha dichiarato che il governo non cambierà la legge.",
         "il governo non cambierà la legge", "dichiarato", "Il ministro"),
        ("Mieszkańcy muszą być ostrożni – powiedział burmistrz Jan Kowalski.",
         "Mieszkańcy muszą być ostrożni", "powiedział", "Jan Kowalski"),
        ("巴哈万德说：“伊朗不会放弃核计划。”", "伊朗不会放弃核计划", "说", "巴哈万德"),
    ],
)  # fmt: skip
def test_the_tagger_marks_content_cue_and_source_in_languages_it_was_not_trained_on(
    encoder, sentence, content, cue, source
):
    (spans,) = tag([sentence], encoder.encode_tokens([sentence], layer=6))
    marked = {
        label: [sentence[s.start : s.end] for s in spans if s.label == label] for label in ("CONTENT", "CUE", "SOURCE")
    }
    assert any(content in text for text in marked["CONTENT"]), marked
    assert any(cue in text for text in marked["CUE"]), marked
    assert any(source in text for text in marked["SOURCE"]), marked


def test_narration_is_not_content(encoder):
    sentences = ["The weather was sunny and the streets were full of tourists on Sunday.",
                 "Die Polizei sperrte die Straße am Montagmorgen für mehrere Stunden."]  # fmt: skip
    for spans in tag(sentences, encoder.encode_tokens(sentences, layer=6)):
        assert not [s for s in spans if s.label == "CONTENT"]


@pytest.fixture(scope="module")
def built(encoder, tmp_path_factory):
    """A pair of cross_outlet_dev (a Polish and an English article on one story), built with and without the tagger."""
    records = [json.loads(line) for line in (CROSS_OUTLET / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in records if r["pair_id"] == "1500025617_1500630351en"]
    folder = tmp_path_factory.mktemp("tagger")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps({k: r[k] for k in ("id", "outlet", "language", "text")},
                                         ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")  # fmt: skip
    tagged = quotetrace.BuildOptions(tagger=TaggerOptions(enabled=True))
    with_tagger = quotetrace.build([source], folder / "tagged", tagged, encoder=encoder)
    rules = quotetrace.BuildOptions(tagger=TaggerOptions(enabled=False))
    rules_only = quotetrace.build([source], folder / "rules", rules, encoder=encoder)
    return with_tagger, rules_only


def test_a_build_adds_the_quotes_the_rules_missed_with_their_speakers(built):
    (tagged, aligned), (rules, _) = built
    assert tagged.tagged_quotes > 0 and tagged.quotes == rules.quotes + tagged.tagged_quotes
    quotes = quotetrace.open_snapshot(tagged.path).table("quotes").to_pylist()
    rules_quotes = quotetrace.open_snapshot(rules.path).table("quotes").to_pylist()
    # Polish is a data change away: its cue list (corpus/data/cues.json) lets the rules find Duda
    polish = [q for q in rules_quotes if "obozu zagłady Auschwitz-Birkenau jest najodpowiedniejszym" in q["text"]]
    assert polish and polish[0]["speaker"] == "Andrzej Duda" and polish[0]["cue"] == "stwierdził"
    # the English rendering's `…, but President Putin is …`, after a quote the rules took: the tagger's
    found = [q for q in quotes if "President Putin is consciously, most certainly, spreading" in q["text"]]
    assert found and found[0]["speaker"] == "Andrzej Duda" and found[0]["speaker_id"] is not None
    assert found[0]["language"] == "en" and found[0]["cue"] == "emphasized"
    assert not [q for q in rules_quotes if q["text"] == found[0]["text"]]
    # the tagger's pass embedded every sentence: the align stage reused those vectors
    assert aligned is not None and aligned.sentences > 0 and aligned.sentences_encoded == 0


@pytest.mark.parametrize(
    ("source", "language", "someone"),
    [  # sources the tagger marked in cross_outlet_dev that the rules could only take as written
        ("senior police officer", "en", True),
        ("spokesman for the vice president", "en", True),
        ("le vice-président de la CENI", "fr", True),
        ("un porte-parole du ministère fédéral des Affaires étrangères", "fr", True),
        ("der Anwalt", "de", True),
        ("il direttore", "it", True),
        ("губернатор", "ru", True),
        ("die Reise", "de", False),
        ("la proposition", "fr", False),
        ("last few days", "en", False),
        ("spokesman went on to", "en", False),  # the source ran into its clause
        ("dem SPD-Chef sollte", "de", False),
        ("ynet bisher auf 17 Mandate", "de", False),
    ],
)
def test_a_tagged_source_described_by_its_function_is_someone(source, language, someone):
    from quotetrace.corpus.attribution.in_article import describes_a_function

    assert describes_a_function(source, language) is someone


def test_duplicates_say_how_sure_each_statement_is_and_which_story_it_is(built):
    (tagged, _), _ = built
    groups = quotetrace.cross_outlet_duplicates(tagged.path)
    # Duda's words in Polish and their English rendering in another outlet, one story
    assert groups and all(g.speaker == "Andrzej Duda" and g.languages == ["en", "pl"] for g in groups)
    assert all(0.0 < g.probability <= 1.0 and g.story_score > 0.3 for g in groups)
    assert all(g.story == "Prezydent Duda: Putin świadomie rozpowszechnia kłamstwa" for g in groups)
    surest = max(g.probability for g in groups)
    assert quotetrace.cross_outlet_duplicates(tagged.path, min_probability=surest) == [
        g for g in groups if g.probability >= surest
    ]
    assert len(quotetrace.cross_outlet_duplicates(tagged.path, min_probability=min(1.0, surest + 1e-6))) < len(groups)


def test_a_texts_words_say_whether_it_names_someone_as_a_search_through_it_does():
    """The align stage asks each article about many speakers' names with the article's words
    found once (``text_words``); on real articles every answer is the search's."""
    from quotetrace.corpus.attribution.names import name_in_text, text_words

    gold = [json.loads(line) for line in (CROSS_OUTLET / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    names = sorted({link["speaker"] for pair in gold for link in pair["links"]} | {"O'Brien", "Jean-Luc Mélenchon"})
    texts = [
        json.loads(line)["text"] for line in (CROSS_OUTLET / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    answers = [(name_in_text(n, t), name_in_text(n, t, text_words(t))) for t in texts[:40] for n in names]
    assert all(searched == looked_up for searched, looked_up in answers)
    assert 0 < sum(searched for searched, _ in answers) < len(answers)  # both answers occur
