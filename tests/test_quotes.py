"""Quotes and speakers: the seeds' exact expectations, every quotation style, reported speech in
seven languages, NTREX translations keeping their speakers, names across scripts, and a quality
gate on the Gender Gap Tracker's annotated quotes."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import REPO, ntrex_documents, seed_article

from quotetrace.corpus.attribution.identity import resolve_corpus, same_person
from quotetrace.corpus.attribution.in_article import is_proper_name, resolve_in_article
from quotetrace.corpus.attribution.marks import quoted_spans
from quotetrace.corpus.attribution.names import han_mention_name
from quotetrace.corpus.attribution.organisations import spelled_out
from quotetrace.corpus.attribution.people import people_in
from quotetrace.corpus.attribution.quotes import quote_rows
from quotetrace.corpus.attribution.rules import extract_quotes
from quotetrace.corpus.normalize import clean_text


def quotes_of(text: str, language: str) -> list:
    quotes = quote_rows({"text": text, "language": language})
    resolve_in_article(text, quotes, language)
    return quotes


# ------------------------------------------------------------------ the seeds


def test_seed_speakers_and_lavrov_is_one_person_across_both_articles(seeds_snapshot):
    quotes = seeds_snapshot.table("quotes").to_pylist()
    by_speaker = {}
    for quote in quotes:
        by_speaker.setdefault(quote["speaker"], []).append(quote)
    lavrov = [q for q in quotes if q["speaker"] and "Lavrov" in q["speaker"]]
    articles = {q["article_id"] for q in lavrov}
    assert len(articles) == 2, "Lavrov is quoted in both seeds"
    assert len({q["speaker_id"] for q in lavrov}) == 1
    speakers = {s["speaker_id"]: s for s in seeds_snapshot.table("speakers").to_pylist()}
    assert set(speakers[lavrov[0]["speaker_id"]]["aliases"]) >= {"Sergei Lavrov", "Sergey Lavrov"}
    for name in ("Viktor Orbán", "Keir Starmer", "Vladimir Putin"):
        assert by_speaker.get(name), f"{name} is quoted in seed 000"
    putin = {q["speaker_mention"] for q in by_speaker["Vladimir Putin"]}
    assert {"Russian President Vladimir Putin", "Russian leader", "The Russian president"} <= putin


def test_seed_000_kinds_cues_and_offsets(seeds_snapshot):
    article = seed_article(seeds_snapshot, "000")
    quotes = [q for q in seeds_snapshot.table("quotes").to_pylist() if q["article_id"] == article["article_id"]]
    direct = [q for q in quotes if q["kind"] == "direct"]
    assert len(direct) == 1
    assert direct[0]["text"].startswith("I don't want to talk about how we discussed this with the U.S. side.")
    assert (direct[0]["cue"], direct[0]["speaker_mention"], direct[0]["speaker"]) == ("said", "Lavrov", "Sergei Lavrov")
    starmer = next(q for q in quotes if q["speaker"] == "Keir Starmer")
    assert starmer["kind"] == "mixed" and '"build protected facilities' in starmer["text"]
    for quote in quotes:
        assert all(quote["start"] <= part["start"] < part["end"] <= quote["end"] for part in quote["parts"])
        span = article["text"][quote["start"] : quote["end"]]
        assert quote["text"].split()[0].strip('"“') in span
        assert quote["language"] == "en" and 0 < quote["speaker_confidence"] <= 1


def test_seed_002_unmarked_block_quote_is_lavrovs_direct_speech(seeds_snapshot):
    article = seed_article(seeds_snapshot, "002")
    quotes = [q for q in seeds_snapshot.table("quotes").to_pylist() if q["article_id"] == article["article_id"]]
    block = next(q for q in quotes if q["text"].startswith("Under no circumstances. No one talks to us"))
    assert block["kind"] == "direct"
    assert block["cue"] == "answered"
    assert "Lavrov" in block["speaker"]
    assert block["text"].endswith("Will these troops come as peacekeepers?")
    according = next(q for q in quotes if q["speaker_mention"] == "him")
    assert according["kind"] == "mixed" and "Lavrov" in according["speaker"]


def test_title_only_name_is_flagged(seeds_snapshot):
    assert seed_article(seeds_snapshot, "000")["title_unsupported_names"] == ["Raevsky"]
    assert seed_article(seeds_snapshot, "002")["title_unsupported_names"] == []


# ------------------------------------------------------------------ quotation styles


@pytest.mark.parametrize(
    ("text", "language", "quoted"),
    [
        ('"We will not accept foreign troops," Lavrov said.', "en", "We will not accept foreign troops,"),
        ("“We will not accept foreign troops,” Lavrov said.", "en", "We will not accept foreign troops,"),
        ("‘We will not accept foreign troops,’ Lavrov said.", "en", "We will not accept foreign troops,"),
        ("«Мы не примем иностранные войска», — заявил Лавров.", "ru", "Мы не примем иностранные войска"),
        ("„Wir werden keine Truppen akzeptieren“, sagte Lawrow.", "de", "Wir werden keine Truppen akzeptieren"),
        ("‚Wir werden keine Truppen akzeptieren‘, sagte Lawrow.", "de", "Wir werden keine Truppen akzeptieren"),
        ("« Nous n'accepterons pas de troupes étrangères », a déclaré Lavrov.", "fr",
         "Nous n'accepterons pas de troupes étrangères"),
        ("‹Nous n'accepterons pas de troupes étrangères›, a déclaré Lavrov.", "fr",
         "Nous n'accepterons pas de troupes étrangères"),
        ("拉夫罗夫说：「我们不会接受外国军队进驻乌克兰。」", "zh", "我们不会接受外国军队进驻乌克兰。"),
        ("拉夫罗夫说：『我们不会接受外国军队进驻乌克兰。』", "zh", "我们不会接受外国军队进驻乌克兰。"),
        ("拉夫罗夫表示：“我们不会接受外国军队进驻乌克兰。”", "zh", "我们不会接受外国军队进驻乌克兰。"),
    ],
)  # fmt: skip
def test_every_quotation_style_is_a_direct_quote_with_its_speaker(text, language, quoted):
    (quote,) = [q for q in quotes_of(text, language) if q.kind == "direct"]
    assert quote.text == quoted
    assert same_person(quote.speaker, "Lavrov")


def test_a_quote_split_around_its_attribution_is_joined():
    (quote,) = quotes_of('"We will not," he said, "accept foreign troops in Ukraine."', "en")
    assert quote.text == "We will not, accept foreign troops in Ukraine."
    assert quote.kind == "direct" and quote.cue == "said" and quote.speaker_mention == "he"
    assert len(quote.spans) == 2


def test_apostrophes_are_not_quotation_marks():
    text = "Lavrov’s aides didn’t comment on the talks’ outcome."
    assert quoted_spans(text) == []


# ------------------------------------------------------------------ reported speech in seven languages


@pytest.mark.parametrize(
    ("text", "language", "content", "speaker"),
    [
        ("Lavrov said that Russia will not agree to a foreign contingent.", "en",
         "Russia will not agree to a foreign contingent", "Lavrov"),
        ("Sergei Lavrov spoke on Sunday. According to him, such a decision requires the consent of the parties.",
         "en", "such a decision requires the consent of the parties", "Sergei Lavrov"),
        ("Sergei Lavrov gave an interview. He noted the West had declared Russia an enemy.", "en",
         "the West had declared Russia an enemy", "Sergei Lavrov"),
        ("Сергей Лавров заявил, что Россия не согласится на ввод иностранного контингента.", "ru",
         "Россия не согласится на ввод иностранного контингента", "Сергей Лавров"),
        # WMT22 lenta.ru.89783: the name in the prepositional phrase (`с … Блинкеном`) is not the speaker
        ("Ранее глава МИД России Сергей Лавров на встрече с американским госсекретарем Энтони Блинкеном заявил, "
         "что Москва готова восстановить диалог с США.", "ru", "Москва готова восстановить диалог с США",
         "Сергей Лавров"),
        ("Сергій Лавров сказав, що Росія не погодиться на введення іноземного контингенту.", "uk",
         "Росія не погодиться на введення іноземного контингенту", "Сергій Лавров"),
        ("Sergej Lawrow sagte, dass Russland einer Entsendung ausländischer Truppen nicht zustimmen werde.", "de",
         "Russland einer Entsendung ausländischer Truppen nicht zustimmen werde", "Sergej Lawrow"),
        ("Sergueï Lavrov a déclaré que la Russie n'accepterait pas de contingent étranger.", "fr",
         "la Russie n'accepterait pas de contingent étranger", "Sergueï Lavrov"),
        ("Serguéi Lavrov afirmó que Rusia no aceptará un contingente extranjero.", "es",
         "Rusia no aceptará un contingente extranjero", "Serguéi Lavrov"),
        ("俄罗斯外交部长拉夫罗夫表示，俄罗斯不会同意向乌克兰派遣外国部队。", "zh",
         "俄罗斯不会同意向乌克兰派遣外国部队", "拉夫罗夫"),
        ("拉夫罗夫称，俄罗斯不会同意向乌克兰派遣外国部队。", "zh", "俄罗斯不会同意向乌克兰派遣外国部队", "拉夫罗夫"),
    ],
)  # fmt: skip
def test_indirect_speech(text, language, content, speaker):
    quotes = [q for q in quotes_of(text, language) if q.kind in {"indirect", "mixed"}]
    assert [q.text for q in quotes] == [content]
    assert quotes[0].speaker == speaker


# The shapes real news takes, each from a cross_outlet_dev article (pair id in the comment).
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # 1603728153_1603684063.1: a sentence in the mood of reported speech continues the quote before it
        ('"Wir haben das sehr gut unter Kontrolle", sagte Trump am Montag im Weißen Haus in Washington. Dies sei '
         "keineswegs ein Beleg dafür, dass das System an Sicherheitsvorkehrungen zusammengebrochen sei.", "de",
         [("Wir haben das sehr gut unter Kontrolle", "Trump"),
          ("Dies sei keineswegs ein Beleg dafür, dass das System an Sicherheitsvorkehrungen zusammengebrochen sei",
           "Trump")]),
        # 1555775334_1585516310.1: a frame after the speaker (`gestern bei einer Pressekonferenz`)
        ("Besonders betroffen seien die Bereiche Altenpflege, Rettungswesen und Behindertenhilfe, sagte Köstinger "
         "gestern bei einer Pressekonferenz mit Rotes Kreuz-Generalsekretär Michael Opriesnig.", "de",
         [("Besonders betroffen seien die Bereiche Altenpflege, Rettungswesen und Behindertenhilfe", "Köstinger")]),
        # NTREX rt.com.91337: a relative clause and an auxiliary between the speaker and the cue
        ("Der mazedonische Präsident Gjorge Ivanov, der den Volksentscheid über die Namensänderung ablehnt, hat "
         "gesagt, er werde das Votum ignorieren.", "de", [("er werde das Votum ignorieren", "Gjorge Ivanov")]),
        # 1485776305_1486286021.2: the subject left out (`admitió`)
        ('Miguel Ángel Russo habló con la prensa. "Tienes que ser respetuoso, no tengo ningún problema con él, por '
         'el contrario", admitió.', "es",
         [("Tienes que ser respetuoso, no tengo ningún problema con él, por el contrario", "Miguel Ángel Russo")]),
        # 1515971688_1516167923.1: the pronoun inverted into the cue (`a-t-il précisé`)
        ("Le bourgmestre Philippe Close a indiqué que l'incendie s'était déclaré dans la rue Masui. Certains "
         "habitants évacués ont pu retourner dans leur logement, a-t-il précisé.", "fr",
         [("l'incendie s'était déclaré dans la rue Masui", "Philippe Close"),
          ("Certains habitants évacués ont pu retourner dans leur logement", "Philippe Close")]),
        # 1500025617_1500630351en.1: a paragraph of speech, then a dash line that attributes it
        ("Andrzej Duda mówił w Jerozolimie.\n\nNie mam wątpliwości, że były to słowa w największym stopniu "
         "krzywdzące dla nas, Polaków i dla naszego kraju\n\n– dodał.", "pl",
         [("Nie mam wątpliwości, że były to słowa w największym stopniu krzywdzące dla nas, Polaków i dla naszego "
           "kraju", "Andrzej Duda")]),
        # 1484188248_1483931201.1: `announced` after its content needs no `that`; the day is a frame
        ("Experienced Pole Robert Kubica will be a reserve driver for Alfa Romeo in the 2020 season, the team "
         "announced on Wednesday.", "en",
         [("Experienced Pole Robert Kubica will be a reserve driver for Alfa Romeo in the 2020 season", "team")]),
        # 1484189433es_1483999729.2: the quotation after `"I feel good," Daniels said.` is his too
        ('"I feel good," Daniels said. "So I’m excited to get things rolling, see what happens. Definitely want '
         'to make sure I get back here."', "en",
         [("So I’m excited to get things rolling, see what happens. Definitely want to make sure I get back here.",
           "Daniels")]),
        # 1543209558_1521667513.1 and 1555775334_1585516310.2: a split verb, its particle closing the clause
        ("Dieser Truppenabzug basiert auf bestimmten Bedingungen, teilt das Pentagon mit.", "de",
         [("Dieser Truppenabzug basiert auf bestimmten Bedingungen", "das Pentagon")]),
        ("Es sind daher keine Zwangsverlängerungen notwendig, gab die zuständige Ministerin Elisabeth Köstinger "
         "(ÖVP) am Mittwoch in einer Pressekonferenz bekannt.", "de",
         [("Es sind daher keine Zwangsverlängerungen notwendig", "Elisabeth Köstinger")]),
        # 1543209558_1521667513.1: a day set off after the cue, then the clause with its own `dass`
        ("Pompeo sagte am Donnerstag, die USA seien zuversichtlich, dass die Taliban alles unternehmen werde.", "de",
         [("die USA seien zuversichtlich, dass die Taliban alles unternehmen werde", "Pompeo")]),
        # 1591316676_1591409166.1: the organisation's name goes on past `für`; `demnach`, `sollen` report on
        ("Mindestens 27 Menschen seien verletzt worden, meldete die Syrische Beobachtungsstelle für Menschenrechte "
         "am Dienstag. Der Laster war demnach mit einem Sprengsatz versehen.", "de",
         [("Mindestens 27 Menschen seien verletzt worden", "die Syrische Beobachtungsstelle"),
          ("Der Laster war demnach mit einem Sprengsatz versehen", "die Syrische Beobachtungsstelle")]),
        # 1629207142fr_1629056067fr.1: names before the cue, the speaker after it
        ("Maas rencontrera le Premier ministre Benjamin Netanyahu et le ministre de la Défense Benny Gantz, a "
         "annoncé un porte-parole du ministère fédéral des Affaires étrangères à Berlin.", "fr",
         [("Maas rencontrera le Premier ministre Benjamin Netanyahu et le ministre de la Défense Benny Gantz",
           "un porte-parole du ministère fédéral des Affaires étrangères")]),
        ("Lavrov, the foreign minister, said the talks failed.", "en", [("the talks failed", "Lavrov")]),
        # 1605530925_1606872212.2: an attribution between the subject and its predicate
        ('Angela Merkel spoke in the Bundestag. Russia, she said on Wednesday, was pursuing "a strategy of hybrid '
         'warfare".', "en", [('Russia was pursuing "a strategy of hybrid warfare"', "Angela Merkel")]),
        # 1484038739_1484078970.2: `which` after a comma stands for the name before it
        ("Paramedics were sent to the hotel, according to the Los Angeles Fire Department, which reported that the "
         "other three patients appeared to be in stable condition.", "en",
         [("Paramedics were sent to the hotel", "Los Angeles Fire Department"),
          ("the other three patients appeared to be in stable condition", "Los Angeles Fire Department")]),
        # 1484396190_1484349204.1: an organisation's noun opens the sentence; the day after the cue is a frame
        ("UK chip designer Imagination Technologies Group Plc said it has struck a new license agreement with Apple. "
         "The company, which was sold in September 2017, said Thursday it would supply a wider range of "
         "designs.", "en",
         [("it has struck a new license agreement with Apple", "Imagination Technologies Group Plc"),
          ("it would supply a wider range of designs", "Imagination Technologies Group Plc")]),
        # 1483963502_1484062080.2 and NTREX-style German: a sentence opened by a phrase has its subject after
        # the verb (verb second)
        ("In einem offenen Brief erklärt Moderator Richard Gutjahr, warum er nicht mehr für den BR arbeiten wird.",
         "de", [("warum er nicht mehr für den BR arbeiten wird", "Richard Gutjahr")]),
        ("Im Interview sagte der Minister Olaf Scholz am Montag, die Lage sei ernst.", "de",
         [("die Lage sei ernst", "Olaf Scholz")]),
        # 1487153677_1487329468.2 and 1524863545it_1501102196it.1: a cue opens the sentence, its subject left out
        ("'Celebramos la elección de Juan Guaidó', afirmó la Cancillería en un comunicado. Añadió que el Gobierno "
         "del presidente Iván Duque 'acoge con beneplácito' el respaldo a Guaidó.", "es",
         [("'Celebramos la elección de Juan Guaidó'", "la Cancillería"),
          ("el Gobierno del presidente Iván Duque 'acoge con beneplácito' el respaldo a Guaidó", "la Cancillería")]),
        # 1494842528_1507583964.1: a photo credit runs into the caption's name; an adverb opens the appositive
        ("Foto: Reuters Diosdado Cabello, presidente de la ANC, ofrece una rueda de prensa. Durante la rueda de "
         "prensa, Cabello, también primer vicepresidente del PSUV, dijo que este diálogo tiene el objetivo de "
         "alcanzar un entendimiento.", "es",
         [("este diálogo tiene el objetivo de alcanzar un entendimiento", "Diosdado Cabello")]),
        # 1536562568_1536842694.1: two words a scrape ran together are two words
        ('"Der Direktor hat mich immer wahnsinnig interessiert", sagt Sachs.Sin erster Arbeitstag ist im März.',
         "de", [("Der Direktor hat mich immer wahnsinnig interessiert", "Sachs")]),
        # 1513646375fr_1613441024fr.1: a sentence that attributes the one before it (an elided article, `l'agence`)
        ("La République tchèque a rejeté une résolution critique de l'UE. Cela a été rapporté par l'agence de "
         "presse ČTK, citant des sources diplomatiques.", "fr",
         [("La République tchèque a rejeté une résolution critique de l'UE", "agence de presse ČTK")]),
        ("Россия не будет участвовать в переговорах. Об этом сообщил глава МИД Сергей Лавров.", "ru",
         [("Россия не будет участвовать в переговорах", "Сергей Лавров")]),
        # 1523294079_1517354815.2: `selon des informations de`
        ("Selon des informations de nos confrères de Closer, le tournage de l'émission devait se dérouler une "
         "semaine plus tôt.", "fr",
         [("le tournage de l'émission devait se dérouler une semaine plus tôt", "nos confrères de Closer")]),
        # 1591316676_1591409166.2: a relative clause after the source is about the source
        ("Nach Informationen der oppositionsnahen syrischen Beobachtungsstelle für Menschenrechte, die in der Regel "
         "gut informiert ist, liegt die Zahl der Todesopfer etwas niedriger.", "de",
         [("liegt die Zahl der Todesopfer etwas niedriger",
           "oppositionsnahen syrischen Beobachtungsstelle für Menschenrechte")]),
        # 1515277116zh_1512395332zh.1: the name opens the long frame after the quotation
        ("“我认为这对我来说是一场真正的胜利，”克洛布查尔周一预选会议开始前在约翰斯顿告诉记者。", "zh",
         [("我认为这对我来说是一场真正的胜利，", "克洛布查尔")]),
        # 1502026410zh_1503483102zh.1: a role run into a dotted name; the addressee before the content
        ("阿卜耶伊地区行政长官库尔·阿洛尔·库尔告诉法新社，全副武装的民兵周三早些时候袭击了该村庄。", "zh",
         [("全副武装的民兵周三早些时候袭击了该村庄", "库尔·阿洛尔·库尔")]),
        # 1546348677_1555783209.2: whose view a sentence gives, named by a role
        ("Pour le vice-président de la CENI, le double scrutin se tient dans un contexte sécuritaire inédit.", "fr",
         [("le double scrutin se tient dans un contexte sécuritaire inédit", "le vice-président de la CENI")]),
        ("Pour la première fois, le double scrutin se tient dans un contexte sécuritaire inédit.", "fr", []),
        # 1629207142fr_1629056067fr.2: an auxiliary and an adverb between the speaker and the cue
        ("Berlin a précédemment exprimé sa crainte que les plans d'annexion l'obligent à choisir.", "fr",
         [("les plans d'annexion l'obligent à choisir", "Berlin")]),
        # 1513646375fr_1613441024fr.2: an adjective after the speaker's name; a sentence ends before `« C'est`
        ("L'UE est une guerre par procuration contre l'Amérique, déclare un membre du Parlement européen. « C'est "
         "un secret de Polichinelle. »", "fr",
         [("L'UE est une guerre par procuration contre l'Amérique", "un membre du Parlement")]),
        # 1483963502_1484062080.2: a title run into the text; a split verb with its object (`wirft … vor`)
        ("Richard Gutjahr verlässt den BR: Ein Journalist klagt an In einem offenen Brief erklärt Moderator "
         "Richard Gutjahr, warum er nicht mehr für den BR arbeiten wird. Unter anderem wirft er dessen Intendanten "
         "Wilhelm vor, Unwahrheiten zu sagen.", "de",
         [("warum er nicht mehr für den BR arbeiten wird", "Richard Gutjahr"),
          ("Unwahrheiten zu sagen", "Richard Gutjahr")]),
        ("Die Polizei in Essen sagte der Zeitung, die Lage sei ruhig.", "de", [("die Lage sei ruhig", "Die Polizei")]),
        # 1484191396_1484061580.1: `estimates` with a clause
        ("Hayton estimates there could still be as many as 200 abandoned boats in the region.", "en",
         [("there could still be as many as 200 abandoned boats in the region", "Hayton")]),
        # NTREX cnbc.com.6790 (Russian): a cue and its speaker that attribute the sentence before them
        ("Почему Президент Трамп отказался от стольких претензий?\nСказал Трамп, подражая голосу ведущего новостей.",
         "ru", [("Почему Президент Трамп отказался от стольких претензий", "Трамп")]),
        # 1591828876_1500373122.2: a curly mark closed by a straight one
        ("“We are in the final stage of signing a contract with the Chinese government,\" Seo said Wednesday.", "en",
         [("We are in the final stage of signing a contract with the Chinese government,", "Seo")]),
    ],
)  # fmt: skip
def test_the_shapes_real_news_takes(text, language, expected):
    assert [(q.text, q.speaker) for q in quotes_of(text, language)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # GGT sentences: an attribution set off by commas in the middle reports both sides of it
        ("Macharia and some colleagues hid under desks, he said, but one person ran to the roof and was shot dead "
         "there.", [("Macharia and some colleagues hid under desks", "he"),
                    ("but one person ran to the roof and was shot dead there", "he")]),
        ("Each of the charges against Emery carries a possible penalty of 30 years to life in prison, Lohmar said, "
         "adding that more charges are possible.",
         [("Each of the charges against Emery carries a possible penalty of 30 years to life in prison", "Lohmar"),
          ("more charges are possible", "Lohmar")]),
        # … unless what stands before it frames what follows
        ("During his seven and a half years in office, Mr. Obama said, the country had changed.",
         [("the country had changed", "Mr. Obama")]),
        # an organisation named with its article speaks as itself, not as a role
        ("Fifty people believed to have been in the complex remained unaccounted for on Wednesday afternoon, "
         "the Kenya Red Cross said.",
         [("Fifty people believed to have been in the complex remained unaccounted for on Wednesday afternoon",
           "the Kenya Red Cross")]),
        # `according to` in the middle: one statement in two parts, a lower-case source as written
        ("Some of those concerns, according to national security experts, include Huawei’s potential link to the "
         "Chinese government.",
         [("Some of those concerns include Huawei’s potential link to the Chinese government",
           "national security experts")]),
        # … but a relative clause after the source is about the source
        ("Prices will rise, according to Mark Carney, who expects a slowdown.", [("Prices will rise", "Mark Carney")]),
        # a `that` far after the cue is a relative pronoun inside the content, not its complementizer
        ("Organizer Dwayne Croteau said the UN agreement deals with de-funding institutions that support "
         "intolerant views.",
         [("the UN agreement deals with de-funding institutions that support intolerant views",
           "Organizer Dwayne Croteau")]),
        ("In an interview in front of a roaring fire in the living room of his official residence in Ottawa, "
         "Scheer said he is confident the party has learned from that mistake.",
         [("he is confident the party has learned from that mistake", "Scheer")]),
        # a frame after the cue, then the clause at its subject
        ("Kim said in his New Year's speech he was ready to meet Trump any time to achieve their common goal of "
         "denuclearization of the Korean peninsula.",
         [("he was ready to meet Trump any time to achieve their common goal of denuclearization of the Korean "
           "peninsula", "Kim")]),
        # a name in commas after a description speaks; a bare plural group noun speaks
        ("His father, Ernie LeBlanc, says his 42-year-old son suffered bouts of severe anxiety related to his long "
         "struggle with an opioid addiction that had started when he worked in the West.",
         [("his 42-year-old son suffered bouts of severe anxiety related to his long struggle with an opioid "
           "addiction that had started when he worked in the West", "Ernie LeBlanc")]),
        ("An official measure of China's manufacturing improved in January but forecasters say economic activity "
         "is sluggish as Chinese leaders try to resolve a tariff battle with Washington.",
         [("economic activity is sluggish as Chinese leaders try to resolve a tariff battle with Washington",
           "forecasters")]),
        # an organisation's whole name after `according to`, through `on` and a list (GGT)
        ("Still, 30 per cent of opioid-related deaths in the United States involve a benzodiazepine, according to "
         "the National Institute on Drug Abuse.",
         [("Still, 30 per cent of opioid-related deaths in the United States involve a benzodiazepine",
           "the National Institute on Drug Abuse")]),
        ("It erupted again just after 9 p.m. on Saturday, according to the Meteorology, Climatology and Geophysics "
         "Agency (BMKG).", [("It erupted again just after 9 p.m. on Saturday",
                             "the Meteorology, Climatology and Geophysics Agency")]),
        # ... not a day after it; and the one who holds a post in an organisation, not the organisation
        ("Talks will resume, according to the Pentagon on Monday.", [("Talks will resume", "the Pentagon")]),
        ("The former sergeant-at-arms of the House of Commons said Monday he's considering a run for the Liberal "
         "leadership.", [("he's considering a run for the Liberal leadership",
                          "The former sergeant-at-arms of the House of Commons")]),
        # a report's issuer stays in the mention; someone `for` a person is not that person
        ("Youth unemployment is more than double the national average, according to the most recent numbers "
         "from Statistics Canada.", [("Youth unemployment is more than double the national average",
                                      "the most recent numbers from Statistics Canada")]),
        ("A spokeswoman for Trudeau said he is not going to shy away from pointing out falsehoods.",
         [("he is not going to shy away from pointing out falsehoods", "A spokeswoman for Trudeau")]),
        # a verb that also takes an object reports a clause its subject pronoun opens (GGT) …
        ("Cerato admitted she wasn't a member of the X-Men.", [("she wasn't a member of the X-Men", "Cerato")]),
        # … and nothing when an object follows (GGT markets report)
        ("South Korea's Kospi added 0.4 per cent to 2,106.10 and Hong Kong's Hang Seng rose 0.3 per cent to "
         "26,902.10.", []),
    ],
)  # fmt: skip
def test_reported_speech_around_a_set_off_attribution(text, expected):
    quotes = extract_quotes(text, "en")
    assert [(q.text, q.speaker_mention) for q in quotes] == expected


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # GGT: a long appositive between the name and the cue
        ('"Kim is eager to remind the Trump administration," Harry J. Kazianis, director of defence studies at '
         "the U.S.-based Centre for the National Interest, said in an e-mailed statement.", ["Harry J. Kazianis"]),
        # a long role phrase ending in the name, and a role word before the name after the cue
        ("“This rally becomes the only voice for the people locally,” Rally Canada volunteer media coordinator "
         "Tom Hinderks said.", ["Tom Hinderks"]),
        ('"One of the most important things is the ability to work," said lead author Dr. Allan Garland, an '
         "internal medicine specialist at the University of Manitoba.", ["Allan Garland"]),
        # the person speaks, not the organisation of their affiliation
        ("Tim Guest with the Nova Scotia Health Authority says there are many reasons for offload delays.",
         ["Tim Guest"]),
        # a full name followed by where they come from
        ("Senator Richard Shelby of Alabama said a prolonged standoff only makes all sides look silly. "
         '"If we blame each other, this could last a long, long time," Shelby said.',
         ["Richard Shelby", "Richard Shelby"]),
        # someone the article names by one name only is who `he` stands for next, not a person named earlier
        ("Police Chief Eric Stubbs spoke first. Na'moks said the chiefs would meet again. "
         "\"I believe there has to be trust built,\" he said.", ["Na'moks", "Na'moks"]),
        # a lower-case description leading to a role word before the name after the cue
        ("“Our energy allies are laughing at us,” said oil and gas worker Mike Wipf. “They’re robbing us blind and "
         "our elected [representatives] in the Supreme Courts, at the elected positions, federally and "
         "provincially, are doing nothing but taking a fat paycheque.”", ["Mike Wipf", "Mike Wipf"]),
        # the subject a participle hangs on is the name after its role words
        ("Chinese foreign ministry spokeswoman Hua Chunying shot back on Tuesday, saying Trudeau should \"respect "
         "the rule of law, respect China's judicial sovereignty.\"", ["Hua Chunying"]),
        # a speaker the attribution names in full is who `he` is next, whatever their first name
        ("OTTAWA — Prime Minister Justin Trudeau is under siege over an allegation his office attempted to "
         "politically interfere in a criminal corruption case against SNC-Lavalin.\n\nNavdeep Bains, Minister of "
         "Innovation, Science and Economic Development, said in an interview "
         "on Thursday that the policy discussion on remediation agreements was on a “broader scale,” not meant to "
         "benefit one specific company.\n\n“We engage with companies of all sizes from different regions and we "
         "want to hear their concerns,” he said.", ["Navdeep Bains", "Navdeep Bains"]),
        # a person named inside the previous statement is its topic, not who `he` is next
        ("TROUT BROOK, N.B. — Kevin Vickers, who became Canada's ambassador to Ireland, is considering a move into "
         "politics.\n\nVickers said he wants to carry on the legacy of his father, Bill, who began the "
         "Northumberland co-op dairy in the province decades ago.\n\nHe said the business, along with a credit "
         "union run by his father's friend, Martin Legere, gave the province a much-needed boost.\n\n\"They "
         "brought a lot of jobs, a lot of great times ... (their) story became a success story all across the "
         "province of New Brunswick,\" he said.", ["Kevin Vickers", "Kevin Vickers", "Kevin Vickers"]),
        # an age makes a description of the person just named
        ("Nino Niederreiter joined the team in January. The 26-year-old right wing said his new teammates have "
         "been creating opportunities for him.", ["Nino Niederreiter"]),
        # an epithet describes the person just named (a bare function, `the official`, would not)
        ("Andre Campbell started drawing comics in Cambridge. \"In my experience, there hasn't been a whole lot "
         "of representation of disabled characters,\" says the bow-tied maverick.", ["Andre Campbell"]),
        # a month as a surname after a known first name; a run the text puts after `in` is a place
        ("British Prime Minister Theresa May spoke in Nova Scotia. \"I have always believed that the best way "
         "forward is to leave in an orderly way,\" she told MPs.", ["Theresa May"]),
        # a hyphenated role before a name, and the name then in Chinese order by its surname
        ("Chinese Vice-President Wang Qishan spoke at Davos. Wang said China still has enormous market potential.",
         ["Wang Qishan"]),
        # a possessive description with the name in commas after it
        ("“Most places will not print anything less than 1,000 copies,” says Campbell’s partner, Jason Louth.",
         ["Jason Louth"]),
        # a document speaks for whoever issued it: a possessive names them
        ("Author Cecil Foster's new book delves into the history of Canada’s Black train porters and their struggle "
         "for social justice. In 1950s Calgary, around 90 per cent of the city’s Black "
         "population depended on the railways for employment, according to Foster’s book.", ["Cecil Foster"]),
        ("According to Infrastructure Canada’s public database, most of those reporting gaps have since been "
         "filled.", ["Infrastructure Canada"]),
        # `the company` is the organisation last named as a subject
        ("NEW YORK -- Facebook says Apple is restoring its access to a key development tool.\n\nIn a statement, "
         "Facebook said it is getting its internal apps up and running. The company noted that the issue had no "
         "impact on its consumer services.", ["Facebook", "Facebook", "Facebook"]),
        # ... or the one the text calls so, though another name opens a clause after it
        ("Rally Canada, the group that organized Monday’s event, said it has received “ongoing emails, Facebook "
         "communications and personal contacts with literally hundreds of residents.”\n\nThe group says those "
         "people include hikers, campers, anglers and trappers.", ["Rally Canada", "Rally Canada"]),
        # a first name no list knows takes the gender of the pronoun that takes the name up
        ("Hiram Macharia, marketing executive at LG Electronics, said he grabbed a fire extinguisher.\n\n"
         "(Luis Tato/AFP/Getty Images)\n\nMamadou Dia was on a business trip from Paris for STP Consultants when "
         "he ended up huddled in a room with hotel guests.\n\n“They told us by text that the police knew we were in "
         "that room,” he said.", ["Hiram Macharia", "Mamadou Dia"]),
        # an indefinite description is someone new, not the engineer named before
        ("Three employees were killed — engineer Andrew Dockrell, conductor Dylan Paradis and trainee Daniel "
         "Waldenberger-Bulmer.\n\nBut a veteran Boston-based engineer said 112 cars is large for a train of full "
         "grain hoppers.", ["veteran Boston-based engineer"]),
        # ... and the definite description after it is that unnamed person again
        ("It comes to the desk of Justice Minister David Lametti, who makes the final call.\n\n“It’s still up to "
         "the minister to decide,” a justice official said at the Dec. 12 briefing.\n\nThe justice official told "
         "reporters more than 90 per cent of U.S. extraditions go through.",
         ["justice official", "justice official"]),
        # a name in a possessive (`Child’s phone`) is talked about: `she` is still the last speaker; a name
        # after a closing quote opens a sentence; a surname two people share is the one named last in full
        ("“They were all chefs and I made them accessible for home cooks,” Dorie Greenspan says. Greenspan also "
         "co-wrote Baking With Julia, the companion cookbook to Julia Child’s baking show. Greenspan’s name could "
         "be seen on speed dial on Child’s phone. “I love doing this work,” she says.",
         ["Dorie Greenspan", "Dorie Greenspan"]),
        ("New York choreographer Jeanine Durning made the work in 2016. “I always felt it deserved to be longer,” "
         "says Christopher House. “It’s fascinating.” Durning did not need much coaxing. “I’m thankful for the "
         "invitation.” Her father, actor Charles Durning, died in 2012.",
         ["Christopher House", "Christopher House", "Jeanine Durning"]),
        # a person named in a photo caption is not who `he` is after it
        ("Author Cecil Foster says the porters' delegation changed Canada.\n\nBenjamin Layne, a retired porter "
         "with Canadian Pacific Railways, looks at a display of photos in 1999 at Windsor station in Montreal. "
         "( THE CANADIAN PRESS FILE PHOTO )\n\nThe delegation’s historic trip drew national attention. “These "
         "guys were smart enough to go to Ottawa,” he says.", ["Cecil Foster", "Cecil Foster"]),
        # someone named with a role just before `he`, whatever their first name, not the last speaker
        ("“My blood pressure is down to normal now,” Toronto retiree Doug Purdy says. Regular exercise also "
         "produced positive results for Mississauga accountant Babatunji Farinloye, 50. “I had a health club "
         "membership, but this program really helped me develop a habit,” he says.",
         ["Doug Purdy", "Babatunji Farinloye"]),
        # `they` after a plural subject is that group, not the last person quoted
        ("“It is a serious risk,” said Mike Hawes, the chief executive. But Brexit remains the biggest concern and "
         "several auto-industry executives have warned about the dire consequences of a hard Brexit. They say "
         "British plants could become uncompetitive.", ["Mike Hawes", "several auto-industry executives"]),
        # two people opening a sentence together introduce no new speaker for the quote after it
        ("Adam Hadwin, Ben Silverman and Nick Taylor play this week. \"We've had some tremendous "
         "success as a nation these last few years,\" said Hadwin. Silverman and Svensson have also won on the "
         "Web.com Tour the last two years.\n\n\"We're all proud to represent Canada when we play.\"",
         ["Adam Hadwin", "Adam Hadwin"]),
        # a document speaks for the issuer the text named when it brought the document up
        ("Those sectors are the best bets for youth, according to a study which is being released Monday by "
         "Civic Action.\n\nIn 2017, the retail sector in Ontario employed 226,000 youth, the study said.",
         ["Civic Action", "Civic Action"]),
        ("\"The level of trust will continue to grow,\" the RCMP statement said.", ["RCMP"]),
        # ... not a group named after `by` (`by Canadian Hockey League players`), nor a newspaper's name
        ("A notice of civil claim was filed for a class-action lawsuit by Canadian Hockey League players. "
         "The lawsuit argues that fighting was condoned. The New York Post reports that the team disagreed.",
         ["lawsuit", "New York Post"]),
        # a double-barrelled surname is a name, and the person whose statement it is
        ("The Prime Minister’s Office leaned on then Attorney General Jody Wilson-Raybould. After Wilson-Raybould "
         "was shuffled, she published an unusual statement on her website.\n\n“It is a pillar of our democracy "
         "that our system of justice be free from political interference,” her statement said.",
         ["Jody Wilson-Raybould"]),
        # `the company` is the organisation that last opened a clause with a verb (not `BMO Research analyst`),
        ("BMO Research analyst Keith Bachman said the services divisions did well in the quarter. Tide, Bounty and "
         "Crest maker Procter & Gamble rallied 6 per cent after its profit came out ahead of expectations. The "
         "company said its annual profit and sales could be slightly stronger than it previously expected.",
         ["Keith Bachman", "Procter & Gamble"]),
        # ... the sentence's own subject, not a company named in a clause inside it or in the quote ...
        ("Google said Thursday that Apple has also revoked its enterprise certificate, blocking Google employees "
         "from testing new app features on iPhones.\n\nBut the company seemed "
         "confident it would quickly regain its access. \"We're working with Apple to fix a temporary disruption,\" "
         "the company said in a statement.", ["Google", "Google"]),
        # ... an acronym in full where the text spells it out
        ("ECB WATCH: The ECB wrapped up its first policy meeting, where European Central Bank President Mario "
         "Draghi spoke. The bank said it did not change its interest rates.", ["European Central Bank"]),
        # a kind named in names (`the city`, `the railway`) is the name of that kind the article gives most
        ("Attempts through City of Surrey staff failed. Langley City has one rink. The City of Surrey has "
         "budgeted $44.5 million. The project will replace the North Surrey Arena, according to the city.",
         ["City of Surrey"]),
        ("Three employees with Canadian Pacific Railway were killed.\n\n\"Our forefathers would never have put a "
         "train together that big,\" said Joe Mulligan with Railroad Workers United.\n\nThe Calgary-based railway "
         "said in the report that it also places locomotives along a train in the winter.",
         ["Joe Mulligan", "Canadian Pacific Railway"]),
        # a first name's spelling settles a gender its romanized form shares (Michelle, not Michel)
        ("Conservative Leader Andrew Scheer said he is confident the party has learned from that mistake.\n\n"
         "If any of his MPs resort to name-calling — Calgary MP Michelle Rempel earlier this week called "
         "Immigration Minister Ahmed Hussen a “chicken” on Twitter — Scheer insists it is in reaction to the "
         "Liberals.\n\nBring it, but you won’t. Chicken. — Michelle Rempel (@MichelleRempel) December 18, 2018\n\n"
         "“When we’re the victims of insulting language it’s going to evoke a response,” he said.",
         ["Andrew Scheer", "Andrew Scheer"]),
        # a first name both genders bear takes the pronoun of a sentence the name alone opens
        ("Jake Thomas Patterson, 21, was arrested. He kidnapped 13-year-old Jayme Closs in October.\n\n"
         "Hearing a shotgun blast, Jayme said she knew her father was dead. Patterson told investigators he shot "
         "James Closs through the front door.\n\nPatterson dragged Jayme outside. Jayme told police she could hear "
         "the sirens. He told detectives he would have opened fire if officers had tried to stop him.",
         ["Jayme Closs", "Jake Thomas Patterson", "Jayme Closs", "Jake Thomas Patterson"]),
        # a document speaks for whoever issued it `in a statement`; a report for the organisation that
        # issued it, named by its kind, and so do the other names the report goes by
        ("The Canadian Beverage Association said in a statement that juice is a source of vitamins. The "
         "statement also said that removing it could have “significant consequences on nutrient intakes.”",
         ["Canadian Beverage Association", "Canadian Beverage Association"]),
        ("Three employees with Canadian Pacific Railway were killed.\n\nA report by the railway company details "
         "how challenging it is to run trains in frigid temperatures.\n\nThe white paper said cold increases air "
         "leakage from a train's air-brake system.\n\nTrains are shortened when temperatures dip below -25 C, "
         "the report said.", ["Canadian Pacific Railway", "Canadian Pacific Railway"]),
        # ... but a website is no report: `this statement by Trump` does not make Trump its voice
        ("The bias begins to show when looking at how the website rated this statement by Trump on June 11.\n\n"
         "The website noted that both Sanders and Trump were referring to studies.", ["website"]),
        # a name in the speaker's own appositive is not who `he` is next
        ("Roman, a resident of the area who operates tours to Anak Krakatau, said the weather had been fine when "
         "the waves struck.\n\nHe said many others had taken refuge in his elevated village of Tahura Carita.",
         ["Roman", "Roman"]),
        # a Korean name is written family name first: `Kim` is Kim Jong-un, the Kim the article is about
        # (and `Jong-un` is a name, not the role `UN`)
        ("North Korean leader Kim Jong-un was expected to meet Tuesday with China's president.\n\nChina's "
         "official Xinhua News Agency confirmed that Kim was visiting from Monday to Thursday. Kim arrived by "
         "train.\n\nHe was accompanied by senior officials, including Kim Yong-chol, a key negotiator.\n\nKim "
         "said in his New Year's speech he was ready to meet Trump any time. But he warned that he may seek an "
         "alternative path if sanctions continue.", ["Xinhua News Agency", "Kim Jong-un", "Kim Jong-un"]),
        # `it` with no speaker before it is the organisation that last opened a clause
        ("Export Development Canada broadened its political risk insurance program in 2006.\n\nCanadians had "
         "little way of knowing about Suncor’s insurance policy. EDC declined to answer most of The Globe’s "
         "questions about the Suncor policy. “We are obligated to respect the confidentiality of our policy "
         "holders,” it said in a statement.", ["Export Development Canada"]),
        # a document speaks for whoever `stated in` it, their appositive between; a statement nobody is
        # said to issue, right after someone spoke, is theirs
        ("Jason Schultz, technical researcher at Talos, stated in the company’s blog post that some of the bomb "
         "threats came from the same addresses.\n\nAccording to the post, the bomb threat had morphed once "
         "again by late Thursday.", ["Jason Schultz", "Jason Schultz"]),
        ("The British aid group Gatsby said its Africa programs director was among those killed in the attack. "
         "A statement said the group was \"shocked and saddened\" to confirm the death of Luke Potter.",
         ["Gatsby", "Gatsby"]),
        # a person `of` a firm is the person
        ("\"The worries surround the uncertainties of a resolution,\" said Jingyi Pan of IG.", ["Jingyi Pan"]),
    ],
)  # fmt: skip
def test_speakers_resolved_from_the_way_news_names_them(text, speakers):
    assert [q.speaker for q in quotes_of(text, "en") if q.kind != "block_intro"] == speakers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PolNeAR sentences: an initialism with its dots belongs to the speaker's name or description
        ("The U.S. Geological Survey said it detected a 5.1-magnitude earthquake about 30 miles from a known test "
         "site.", [("it detected a 5.1-magnitude earthquake about 30 miles from a known test site",
                    "U.S. Geological Survey")]),
        ("Islamic State claimed responsibility for the attack but U.S. officials have said they do not believe "
         "Mateen was assisted from abroad.",
         [("they do not believe Mateen was assisted from abroad", "U.S. officials")]),
        # set off after the content, with its article in the middle of the sentence
        ("The sanctions will stay in place, the U.S. State Department said on Monday.",
         [("The sanctions will stay in place", "U.S. State Department")]),
    ],
)  # fmt: skip
def test_initialisms_stay_in_the_speaker(text, expected):
    assert [(q.text, q.speaker) for q in quotes_of(text, "en")] == expected


def test_an_interrupting_source_splits_the_quote_into_its_two_parts():
    text = "The harsh truth, according to addiction experts, is an ill-equipped health-care system is partly to blame."
    (quote,) = extract_quotes(text, "en")
    assert [text[a:b] for a, b in quote.spans] == [
        "The harsh truth", "is an ill-equipped health-care system is partly to blame",
    ]  # fmt: skip
    assert (quote.start, quote.end) == (quote.spans[0][0], quote.spans[1][1])


def test_an_idiom_with_a_cue_verb_reports_nothing():
    # PolNeAR: `claimed responsibility` is no speech; the officials' statement after it is
    text = (
        "Islamic State claimed responsibility for the attack but U.S. officials have said they do not believe "
        "Mateen was assisted from abroad."
    )
    assert [q.speaker_mention for q in extract_quotes(text, "en")] == ["U.S. officials"]


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # GGT: the word after a possessive is not the person's surname; a place opens no name
        ("But then again, consider Ellison’s Sensei project, a company aiming to “help people live longer, "
         "brighter lives.” American cookbook author Dorie Greenspan visited the Star's test kitchen and made a "
         "turkey meatball soup with the Star's Karon Liu. Toronto Dance Theatre is presenting New York "
         "choreographer Jeanine Durning’s This Shape, We Are In.", ["Dorie Greenspan", "Jeanine Durning", "Karon Liu"]),
        # GGT captions: the photographer is not who `she` or `he` stands for
        ("An injured woman receives medical attention at the scene of an explosion at a hotel complex in a Nairobi "
         "suburb. (Luis Tato/AFP/Getty Images)\n\nThe city will set up three of these tented structures to help "
         "house members of Toronto's homeless population. (Lauren Pelley / CBC News)\n\nMamadou Dia was on a "
         "business trip from Paris for STP Consultants.", ["Mamadou Dia"]),
    ],
)  # fmt: skip
def test_names_that_are_not_people(text, people):
    assert sorted(p.name for p in people_in(text, "en")) == people


def test_an_acronym_speaks_under_the_name_the_article_spells_out():
    # GGT: the article names the department in full once, then quotes it by its initials
    text = (
        "Kim and Clark Moran received a letter this week from Immigration, Refugees and Citizenship Canada "
        "informing them that the federal government intends to refuse Ayo's application.\n\n"
        "IRCC has told CTV that under ideal circumstances, the two-step adoption and immigration process can take "
        "between six and eight months.\n\nThe Morans have 60 days to respond to the letter, and the IRCC stressed "
        "Friday that a final decision on Ayo's citizenship application has not yet been made."
    )
    speakers = {q.speaker_mention: q.speaker for q in quotes_of(text, "en")}
    assert speakers == {
        "IRCC": "Immigration, Refugees and Citizenship Canada",
        "the IRCC": "Immigration, Refugees and Citizenship Canada",
    }
    assert spelled_out("CBC", "the Canadian Broadcasting Corporation said") == "Canadian Broadcasting Corporation"
    assert spelled_out("CBC", "Canadian officials said") is None


def test_an_organisation_with_its_article_is_not_resolved_as_a_role():
    text = (
        "White House press secretary Josh Earnest spoke on Monday. "
        "The sanctions will stay in place, the White House said."
    )
    quotes = quotes_of(text, "en")
    assert [(q.text, q.speaker) for q in quotes] == [("The sanctions will stay in place", "White House")]


def test_people_who_only_share_a_surname_stay_apart():
    entries = [("Hillary Clinton", "en", None, "a"), ("Bill Clinton", "en", None, "b"), ("Clinton", "en", None, "c")]
    _, ids = resolve_corpus(entries)
    assert len({ids["Hillary Clinton"], ids["Bill Clinton"], ids["Clinton"]}) == 3


def test_a_bare_surname_is_the_one_who_holds_most_of_its_full_names():
    """The 100 most quoted speakers of all the shared news had `Former Trump` (49 quotes of a bare
    `Trump` beside Donald, Eric and Ivanka) and `Does Rubio`; a first name no list knows (`Dane`)
    still keeps its bearer apart from Maxine Waters; `Mr. Obama` (a title, male) is Barack Obama, not
    Michelle, and no title names the speaker."""
    entries = [("Donald Trump", "en", None, str(i)) for i in range(8)]
    entries += [("Eric Trump", "en", None, "e"), ("Ivanka Trump", "en", None, "i"), ("Trump", "en", None, "t")]
    entries += [("Maxine Waters", "en", None, "m"), ("Dane Waters", "en", None, "d")]
    entries += [("Marco Rubio", "en", None, "r"), ("Does Rubio", "en", None, "h")]
    entries += [("Barack Obama", "en", None, str(i)) for i in range(3)] + [("Michelle Obama", "en", None, "mo")]
    entries += [("Mr. Obama", "en", None, "mr"), ("President Obama", "en", "president", "po")]
    speakers, ids = resolve_corpus(entries)
    assert ids["Mr. Obama"] == ids["President Obama"] == ids["Barack Obama"] != ids["Michelle Obama"]
    assert ids["Trump"] == ids["Donald Trump"] != ids["Eric Trump"]
    assert ids["Dane Waters"] != ids["Maxine Waters"]
    assert ids["Does Rubio"] == ids["Marco Rubio"]
    assert {s.name for s in speakers} >= {"Donald Trump", "Marco Rubio", "Dane Waters", "Barack Obama"}


@pytest.mark.parametrize(
    ("mention", "language", "named"),
    [
        ("Wisconsin Republican", "en", False), ("Some Democrats", "en", False), ("One Labour AM", "en", False),
        ("Attorney General", "en", False), ("Secretary of State", "en", False), ("Ministry of Defence", "en", True),
        ("Nationalversammlungsmitglied", "de", False), ("Mitglied der Welsh Conservative Party", "de", False),
        ("报道", "zh", False), ("美国国家气象局", "zh", True), ("Kenya Red Cross", "en", True),
        ("Maxine Waters", "en", True), ("der Anwalt", "de", False), ("Miembro", "es", False),
    ],
)  # fmt: skip
def test_a_description_headed_by_a_role_group_or_document_names_nobody(mention, language, named):
    assert is_proper_name(mention, language) is named


def test_lavrov_in_every_script_is_one_speaker():
    names = ["Sergei Lavrov", "Sergey Lavrov", "Lavrov", "Лавров", "Сергей Лавров", "拉夫罗夫", "Сергій Лавров"]
    speakers, ids = resolve_corpus([(n, "x", None, str(i)) for i, n in enumerate(names)])
    assert len(speakers) == 1 and len(set(ids.values())) == 1
    assert speakers[0].name in {"Sergei Lavrov", "Sergey Lavrov"}  # a Latin full name is canonical
    assert sorted(speakers[0].aliases) == sorted(names)


def test_a_shortened_han_name_joins_the_only_name_it_ends():
    # WMT22's machine translations of one story name the US National Weather Service three ways
    names = ["美国国家气象局", "国家气象局", "气象局"]
    _, ids = resolve_corpus([(n, "zh", None, n) for n in names])
    assert len({ids[n] for n in names}) == 1
    # two foreign ministries: `外交部` could be either, so it is neither
    _, ids = resolve_corpus([(n, "zh", None, n) for n in ("俄罗斯外交部", "中国外交部", "外交部")])
    assert len(set(ids.values())) == 3
    # an office in Han script renders no Latin name, however its sounds fall (国家气象局 is no `Agency`)
    entries = [(n, "zh", None, n) for n in names] + [("Anadolu Agency", "en", None, "e1"), ("Agency", "en", None, "e2")]
    _, ids = resolve_corpus(entries)
    assert len({ids[n] for n in names}) == 1 and ids["气象局"] != ids["Anadolu Agency"]


@pytest.mark.parametrize(
    ("mention", "name"),
    [  # WMT22 zh machine translations of one story: one person, whatever the mention carries
        ("兼首席执行官弗兰克·德贝里", "弗兰克·德贝里"),
        ("场总裁兼首席执行官弗兰克·德贝里（Frank DeBerry）", "Frank DeBerry"),
        ("德贝里(Frank DeBerry", "Frank DeBerry"),
        ("皮尔斯县警察局警官达伦·莫斯(Darren Moss)", "Darren Moss"),
        ("美国国家气象局", None),
    ],
)
def test_a_han_mention_names_the_person_it_carries(mention, name):
    assert han_mention_name(mention) == name


# Names as the quote stage resolved them in NTREX's translations of one English quote each.
RENDERINGS = [
    ["Donald Trump", "Трамп", "Дональд Трамп", "特朗普", "Сказал Трамп"],
    ["Larry Giles", "Ларри Гайлз", "Ларрі Джайлз"],
    ["Kit Harington", "Кит Харингтон", "Кіт Герінгтон"],
    ["Roberto Calzadilla", "Роберто Кальзадилья", "Роберто Кальсадія"],
    ["Karen Hunter", "Карен Хантер", "Карен Гантер", "Die Talkshowmoderatorin Karen Hunter"],
    ["Sutopo Purwo Nugroho", "Джакарті Сутопо Пурво Нугрохо", "Nugroho"],
    ["Nelson Mandela", "Нельсон Мандела", "纳尔逊·曼德拉"],
    ["Jordan Spieth", "Джордан Спіт", "Джордан Спит"],
    ["Daniel Sturridge", "Старридж", "斯图里奇"],
    ["Joan Puig", "Хоан Пуч", "Puig"],
    ["Maxine Waters", "Максін Вотерс"],
    ["John Goldsmith", "Джон Голдсмит", "Джон Голдсміт"],
]


def test_one_person_in_every_script_and_transliteration_is_one_speaker():
    # Every rendering together, with people who share a surname or its consonants with one of them.
    others = ["Robert Kennedy", "John Kennedy", "Center", "Hillary Clinton", "Bill Clinton"]
    entries = [(n, "x", None, f"{i}.{j}") for i, names in enumerate(RENDERINGS) for j, n in enumerate(names)]
    speakers, ids = resolve_corpus(entries + [(n, "en", None, n) for n in others])
    for names in RENDERINGS:
        assert len({ids[n] for n in names}) == 1, names
        assert next(s.name for s in speakers if s.speaker_id == ids[names[0]]) == names[0]  # Latin, first name first
    assert len({ids[n] for n in ("Donald Trump", "Robert Kennedy", "John Kennedy", "Center", "Karen Hunter")}) == 5
    # two Trumps: a bare 特朗普 could be either, so it is neither
    _, ids = resolve_corpus([(n, "x", None, n) for n in ("Donald Trump", "Melania Trump", "特朗普")])
    assert len(set(ids.values())) == 3


# ------------------------------------------------------------------ NTREX: the translated quote keeps its speaker

LANGUAGES = {"rus": "ru", "ukr": "uk", "zho": "zh", "fra": "fr", "deu": "de", "spa": "es"}
# (document, sentence, English speaker, languages whose translation must yield the quote with the speaker)
NTREX_CASES = [
    (11, 3, "John Goldsmith", ("rus", "ukr", "zho", "deu", "spa")),
    (14, 20, "Jeff Flake", ("rus", "ukr", "zho", "fra", "deu", "spa")),
    (27, 5, "Sutopo Purwo Nugroho", ("rus", "ukr", "zho", "fra", "deu", "spa")),
    (43, 5, "Nelson Mandela", ("rus", "ukr", "zho", "fra", "deu")),
    (46, 4, "Jordan Spieth", ("rus", "ukr", "fra", "deu")),
    (48, 2, "Ri Yong Ho", ("rus", "ukr", "fra", "deu", "spa")),
]


def by(quote, speaker: str) -> bool:
    """The quote's resolved speaker or its mention as written is ``speaker`` in any spelling."""
    return same_person(quote.speaker or "", speaker) or same_person(quote.speaker_mention or "", speaker)


def ntrex_quotes(document: dict, language: str) -> list:
    text = "\n\n".join(clean_text(s) for s in document["sentences"][language])
    return quotes_of(text, LANGUAGES.get(language, "en"))


@pytest.mark.parametrize(("doc", "sentence", "speaker", "languages"), NTREX_CASES)
def test_ntrex_translations_keep_quote_and_speaker(doc, sentence, speaker, languages):
    document = ntrex_documents()[doc]
    english = [q for q in ntrex_quotes(document, "eng") if q.paragraph == sentence]
    assert any(q.speaker == speaker for q in english)
    for language in languages:
        found = [q for q in ntrex_quotes(document, language) if q.paragraph == sentence and by(q, speaker)]
        assert found, f"{language}: no quote by {speaker} in {document['sentences'][language][sentence]!r}"


# Share of English quotes attributed by name in their own sentence whose translation yields a
# quote by the same person, over all 61 NTREX documents. Measured: ru 0.345, uk 0.381, zh 0.286,
# fr 0.548, de 0.619, es 0.524; translations often turn the name into a pronoun or move it.
NTREX_FLOORS = {"rus": 0.29, "ukr": 0.32, "zho": 0.24, "fra": 0.49, "deu": 0.56, "spa": 0.47}


@pytest.fixture(scope="module")
def ntrex_recall() -> dict[str, float]:
    hits = dict.fromkeys(LANGUAGES, 0)
    total = 0
    for document in ntrex_documents():
        english = [
            q for q in ntrex_quotes(document, "eng")
            if q.speaker and q.speaker_mention and q.speaker_mention[:1].isupper()
            and q.speaker_mention.split()[-1] in q.speaker.split() and q.speaker_confidence >= 0.85
        ]  # fmt: skip
        total += len(english)
        for language in LANGUAGES:
            translated = [q for q in ntrex_quotes(document, language)]
            for quote in english:
                hits[language] += any(
                    t.paragraph == quote.paragraph
                    and (
                        same_person(t.speaker or "", quote.speaker)
                        or same_person(t.speaker_mention or "", quote.speaker)
                    )
                    for t in translated
                )
    print(f"NTREX: {total} English quotes by name; recall { ({k: round(v / total, 3) for k, v in hits.items()}) }")
    return {language: hits[language] / total for language in LANGUAGES}


@pytest.mark.parametrize("language", list(NTREX_FLOORS))
def test_ntrex_translated_quote_recall(ntrex_recall, language):
    assert ntrex_recall[language] >= NTREX_FLOORS[language]


# ------------------------------------------------------------------ quality gate on annotated quotes


def _benchmark():
    spec = importlib.util.spec_from_file_location("quotetrace_bench_quotes", REPO / "benchmarks" / "quotes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_ggt_quality_gate(data):
    """Measured 0.8825 F1 and 0.9065 speaker accuracy (the GGT extractor: 0.837 / 0.865); the goal
    is 0.88 / 0.90, and the rules are deterministic: a rule that loses a right answer fails here."""
    result = _benchmark().evaluate("ggt", "speaker_name")
    assert result["f1"] >= 0.88, result
    assert result["speaker_accuracy"] >= 0.90, result


def test_a_megabyte_long_paragraph_of_quotes_is_read_whole(seeds_snapshot):
    """Crawled pages can be one enormous line: every quote of it is still found, each once.
    (Rules that rescan the text for every quote would take hours here.)"""
    seed = seed_article(seeds_snapshot, "000")
    paragraph = " ".join(seed["paragraphs"][:5])  # Lavrov (named in full), his quote, Orbán, Starmer
    text = " ".join([paragraph] * 1500)  # about 1 MB, one paragraph
    quotes = quotes_of(text, "en")
    per_copy = len(quotes_of(paragraph, "en"))
    assert per_copy >= 3
    assert len(quotes) == per_copy * 1500
    assert sum(q.speaker == "Sergei Lavrov" for q in quotes) >= 1500
