"""The speaker as written next to a cue: before it (`Lavrov said`, `the Russian president said`,
`Gomes, a researcher at X, said`, `拉夫罗夫表示`), after it (`said Telford`, `according to Statistics
Canada`), or the subject a participle hangs on (`Higgs has said …, insisting`); and a mention as a
speaker's name, its article dropped. Whom a mention stands for is ``in_article``'s question."""

from __future__ import annotations

import re

from quotetrace.corpus.attribution.names import first_name_gender, han_mention_name, han_transliteration
from quotetrace.corpus.attribution.tokens import INITIALISM, WORD, abbreviated, is_name_token, name_run_before
from quotetrace.corpus.lexicon import (
    ARTICLES,
    DETERMINERS,
    GROUP_NOUNS,
    NAME_PARTICLES,
    NAME_RUN,
    NOT_A_NAME,
    STOP_AFTER_SPEAKER,
    TIME_WORDS,
    Language,
    han_name,
    plural_noun,
)


def mention_before(text: str, cue_start: int, language: Language) -> tuple[str, int] | None:
    """The speaker written just before a cue: a pronoun, a name, or a role phrase; skipping
    adverbs (`also`, `previously`) and an appositive (`Gomes, a researcher at X, said`)."""
    if language.cjk:
        return _han_mention_before(text, cue_start, language)
    head = text[:cue_start]
    tokens = list(WORD.finditer(head))
    while tokens and tokens[-1].group(0).casefold() in language.skip and tokens[-1].end() >= len(head.rstrip()) - 1:
        head = head[: tokens[-1].start()]
        tokens.pop()
    stripped = head.rstrip()
    if stripped.endswith(","):
        appositive = _appositive_head(stripped, language)
        if appositive is not None:
            return appositive
        return None
    if not tokens or tokens[-1].end() < len(stripped):
        return None
    last = tokens[-1].group(0)
    if last.casefold() in language.pronouns:
        return last, tokens[-1].start()
    if last.casefold() in language.relatives and head[: tokens[-1].start()].rstrip().endswith(","):
        return _antecedent(tokens[:-1], language)  # `the Los Angeles Fire Department, which reported`
    name = name_run_before(tokens, language.openers)
    if name is not None:
        holder = _holder_of(tokens, name, language)
        if holder is not None:  # `A spokeswoman for Trudeau said`: the spokeswoman, not Trudeau
            return holder
        subject = _subject_behind_prepositions(tokens, name, language)
        return _with_article(tokens, subject, language) if subject is not None else None
    return _role_phrase_before(tokens, language)


_NOT_DEFINITE = {"a", "an", "his", "her", "their", "ein", "eine"}


def _antecedent(tokens: list[re.Match[str]], language: Language) -> tuple[str, int] | None:
    """The name a relative pronoun after a comma stands for (`…, according to the Los Angeles Fire
    Department, which reported that …`): the name that ends the text before the comma."""
    name = name_run_before(tokens, language.openers) if tokens else None
    return _with_article(tokens, name, language) if name is not None else None


def _with_article(tokens: list[re.Match[str]], name: tuple[str, int], language: Language) -> tuple[str, int]:
    """`the Kenya Red Cross`: a name its article precedes is an organisation's, and the mention
    (which ends the content before it, `…, the Kenya Red Cross said`) starts at the article."""
    index = next(i for i, token in enumerate(tokens) if token.start() == name[1])
    article = tokens[index - 1].group(0).casefold() if index else ""
    if article in ARTICLES.get(language.code, set()) - _NOT_DEFINITE and _adjacent(tokens, index):
        member = _member_of(tokens, index - 1)
        if member is not None:
            return member
        start = tokens[index - 1].start()
        return tokens[0].string[start : name[1] + len(name[0])], start
    return name


_AFFILIATION = {"at", "with", "from", "of", "for"}


def _member_of(tokens: list[re.Match[str]], article: int) -> tuple[str, int] | None:
    """`Kent Moore at the University of Toronto says`, `Tim Guest with the Nova Scotia Health
    Authority says`: the person before the affiliation speaks, not the organisation."""
    if article < 3 or tokens[article - 1].group(0) not in _AFFILIATION or not _adjacent(tokens, article):
        return None
    person = name_run_before(tokens[: article - 1])
    if person is None or len(person[0].split()) < 2 or not first_name_gender(person[0].split()[0]):
        return None
    return person


def _holder_of(tokens: list[re.Match[str]], name: tuple[str, int], language: Language) -> tuple[str, int] | None:
    """`The former sergeant-at-arms of the House of Commons said`, `A spokeswoman for Trudeau said`:
    the one who holds a post in the organisation (or for the person) speaks, a description opened by
    its own article a few lowercase words before `of` or `for`."""
    articles = ARTICLES.get(language.code, {"the"})
    index = next(i for i, token in enumerate(tokens) if token.start() == name[1])
    if index and tokens[index - 1].group(0).casefold() in articles and _adjacent(tokens, index):
        index -= 1  # `of the House of Commons`
    if index < 2 or tokens[index - 1].group(0) not in {"of", "for"} or not _adjacent(tokens, index):
        return None
    end = name[1] + len(name[0])
    index -= 1
    for _ in range(4):  # up to three lowercase words, then their article
        if index == 0 or not _adjacent(tokens, index):
            return None
        index -= 1
        word = tokens[index].group(0)
        if word.casefold() in articles:
            start = tokens[index].start()
            return tokens[0].string[start:end], start
        if not word.islower():
            return None
    return None


def _subject_behind_prepositions(
    tokens: list[re.Match[str]], name: tuple[str, int], language: Language, hops: int = 3
) -> tuple[str, int] | None:
    """A name governed by a preposition is not the speaker: `Сергей Лавров на встрече с госсекретарем
    Энтони Блинкеном заявил` → Сергей Лавров, the name before the prepositional phrases; None when
    no name stands within a few lowercase words before them (a null speaker beats a wrong one)."""

    def lowercase_before(index: int, limit: int) -> int:
        """Index of the first of up to ``limit`` lowercase words in one phrase ending before ``index``,
        stopping after a preposition."""
        while limit and index > 0 and tokens[index - 1].group(0).islower() and _adjacent(tokens, index):
            index, limit = index - 1, limit - 1
            if tokens[index].group(0).casefold() in language.prepositions:
                break
        return index

    for _ in range(hops):
        index = next(i for i, token in enumerate(tokens) if token.start() == name[1])
        governor = lowercase_before(index, 4)
        if governor == index or tokens[governor].group(0).casefold() not in language.prepositions:
            return name  # no preposition governs the name
        end = governor
        while end > 0 and tokens[end - 1].group(0).islower() and _adjacent(tokens, end):
            end = lowercase_before(end, 4)  # `на встрече`: another prepositional phrase before this one
        found = name_run_before(tokens[:end], language.openers) if end else None
        if found is None:
            return None
        name = found
    return None


def _adjacent(tokens: list[re.Match[str]], index: int) -> bool:
    """Token ``index - 1`` and token ``index`` are in one phrase: nothing but spaces or an elision
    (`l’organisme`) between them; a comma or a quotation mark ends the phrase."""
    gap = tokens[index].string[tokens[index - 1].end() : tokens[index].start()]
    return all(char.isspace() or char in "'’" for char in gap)


def _appositive_head(stripped: str, language: Language) -> tuple[str, int] | None:
    """`Gomes, a drug policy researcher with St. Michael's Hospital in Toronto,` → Gomes; and a
    sentence that opens with a name followed by a long appositive (`Navdeep Bains, Minister of
    Innovation, Science and Economic Development, said`)."""
    opening = _opening_subject(stripped, language)
    if opening is not None:
        return opening
    body = stripped[:-1]
    comma = body.rfind(",")
    if comma == -1:
        return None
    appositive = body[comma + 1 :].strip()
    if appositive.isdigit() and len(appositive) <= 3:  # `Babatunji Farinloye, 50, says`
        tokens = list(WORD.finditer(body[:comma]))
        return name_run_before(tokens, language.openers) if tokens else None
    described = list(WORD.finditer(body[:comma]))
    named = appositive.split()
    if (
        described
        and described[-1].group(0).islower()
        and 1 <= len(named) <= 4
        and all(is_name_token(word) for word in named)
        and described[-1].group(0) not in _FUNCTION_WORDS
    ):  # `His father, Ernie LeBlanc, says`: the name after a description
        return appositive, comma + 1 + (len(body[comma + 1 :]) - len(body[comma + 1 :].lstrip()))
    first = appositive.split(" ", 1)[0].casefold() if appositive else ""
    interposed = {
        "when",
        "while",
        "who",
        "which",
        "after",
        "before",
        "as",
        "speaking",
        "asked",
        "according",
        "in",
        "on",
    }
    if not (
        first in DETERMINERS.get(language.code, set())
        or first in language.roles
        or first in interposed
        or first in language.skip  # `Cabello, también primer vicepresidente del PSUV,`
        or first.endswith(("'s", "’s"))
        or any(w.casefold().strip('"“”«»') in language.roles for w in appositive.split()[:3])  # `hermana de`
    ):
        return None
    tokens = list(WORD.finditer(body[:comma]))
    if not tokens:
        return None
    if tokens[-1].group(0).casefold() in language.pronouns:
        return tokens[-1].group(0), tokens[-1].start()
    return name_run_before(tokens, language.openers)


def _opening_subject(head: str, language: Language) -> tuple[str, int] | None:
    """The name or pronoun that opens the sentence and is followed by a comma."""
    boundary = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    sentence_start = boundary + 2 if boundary >= 0 else 0
    first_comma = head.find(",", sentence_start)
    if first_comma == -1 or first_comma == len(head) - 1:
        return None
    segment = head[sentence_start:first_comma]
    tokens = list(WORD.finditer(segment))
    if not tokens or len(tokens) > 5:
        return None
    if len(tokens) == 1 and tokens[0].group(0).casefold() in language.pronouns:
        return tokens[0].group(0), sentence_start + tokens[0].start()
    name = name_run_before(tokens, language.openers)
    if name is None:
        return _definite_description(segment, tokens, sentence_start, language)
    if name[1] != tokens[0].start() and segment[: name[1]].strip().casefold() not in NOT_A_NAME:
        return None
    return name[0], sentence_start + name[1]


def _definite_description(
    segment: str, tokens: list[re.Match[str]], offset: int, language: Language
) -> tuple[str, int] | None:
    """`The company, which was sold …, said`: a sentence opened by an article and a few words that
    end in a role or an organisation's noun (the in-article step resolves it to whom it names)."""
    articles = ARTICLES.get(language.code, {"the"}) - _NOT_DEFINITE
    head = tokens[-1].group(0).casefold()
    if len(tokens) > 4 or tokens[0].group(0).casefold() not in articles:
        return None
    if head not in language.roles | language.organisation_nouns:
        return None
    return segment[tokens[0].start() : tokens[-1].end()], offset + tokens[0].start()


def sentence_subject(sentence: str, cue_start: int, language: Language) -> tuple[str, int] | None:
    """The subject of the sentence a participle or a second verb hangs on: `Higgs has said …,
    insisting …`, `Pompeo praised … and said …`."""
    tokens = list(WORD.finditer(sentence[:cue_start]))
    index = 0
    skippable = NOT_A_NAME | language.skip | language.openers | language.roles
    while index < len(tokens) and tokens[index].group(0).casefold() in skippable:
        index += 1
    if index >= len(tokens):
        return None
    first = tokens[index]
    if first.group(0).casefold() in language.pronouns:
        return first.group(0), first.start()
    run = [first] if is_name_token(first.group(0)) else []
    for token in tokens[index + 1 :]:
        if not (is_name_token(token.group(0)) or token.group(0).casefold() in NAME_PARTICLES):
            break
        run.append(token)
    if not run:
        return None
    named = _name_after_role(tokens, index + len(run), language)
    if named is not None:  # `Chinese foreign ministry spokeswoman Hua Chunying shot back, saying`
        run = named
    return sentence[run[0].start() : run[-1].end()], run[0].start()


def _name_after_role(tokens: list[re.Match[str]], index: int, language: Language) -> list[re.Match[str]] | None:
    """The name after a few lower-case words at ``index`` that end in a role word (`foreign ministry
    spokeswoman Hua Chunying`)."""
    role = _role_before_name(tokens, index, language)
    if role is None:
        return None
    name = []
    for token in tokens[role + 1 : role + 5]:
        if not is_name_token(token.group(0)):
            break
        name.append(token)
    return name


def _role_phrase_before(tokens: list[re.Match[str]], language: Language) -> tuple[str, int] | None:
    """`the Russian president`, `the affable proprietor`, `Russian leader`."""
    determiners = DETERMINERS.get(language.code, set())
    last = tokens[-1].group(0).casefold()
    if last in {"it", "this", "that", "which", "who"}:
        return None
    for back in range(1, min(6, len(tokens)) + 1):
        token = tokens[-back]
        word = token.group(0).casefold()
        if word in determiners:
            if back == 1:
                return None
            start = token.start()
            return token.string[start : tokens[-1].end()], start
        if word in {"and", "or", "but", "said", "says", "that", "which", "who", "when", ","}:
            break
    if last in language.roles and len(tokens) >= 2 and tokens[-2].group(0)[:1].isupper():
        start = tokens[-2].start()
        return tokens[-1].string[start : tokens[-1].end()], start
    if language.code == "en" and plural_noun(last):
        run = [tokens[-1]]
        for token in reversed(tokens[-4:-1]):
            word = token.group(0)
            initialism = bool(INITIALISM.fullmatch(word))  # `U.S. officials`
            gap = token.string[token.end() : run[-1].start()]
            if word.casefold() in _FUNCTION_WORDS or not (word.isalpha() or initialism):
                break
            if gap != " " and not (initialism and gap == ". "):
                break
            run.append(token)
        quantifier = run[-1].group(0).casefold()
        if len(run) > 1 or quantifier in _QUANTIFIERS or last in GROUP_NOUNS:
            start = run[-1].start()
            return tokens[-1].string[start : tokens[-1].end()], start
    return None


_QUANTIFIERS = {
    "some",
    "many",
    "several",
    "most",
    "few",
    "other",
    "two",
    "three",
    "both",
    "all",
    "critics",
    "officials",
}
_FUNCTION_WORDS = {"the", "a", "an", "and", "or", "but", "that", "which", "who", "of", "in", "on", "at", "to", "for",
                   "with", "by", "from", "as", "is", "are", "was", "were", "has", "have", "had", "be", "it", "this",
                   "these", "those", "its", "their", "his", "her", "if", "when", "while", "so", "not",
                   "than"}  # fmt: skip


# the rest of an organisation's name after a small word or in a list: `… on Drug Abuse`, `…,
# Climatology and Geophysics Agency`
_NAME_CONTINUES = re.compile(
    r"(?:[ \t]+(?:on|of|for|&)[ \t]+(?:the[ \t]+)?|,[ \t]+(?=(?:[A-Z][\w'’-]*,?[ \t]+)+and[ \t]+[A-Z]))"
    r"([A-Z][\w'’-]*)(?:,?[ \t]+(?:and[ \t]+)?[A-Z][\w'’-]*)*"
)


_ISSUED_BY = re.compile(rf"[ \t]+(?:from|by)[ \t]+(?:the[ \t]+)?{NAME_RUN}")


def mention_after(text: str, position: int, language: Language) -> tuple[str, int] | None:
    """The speaker written just after a cue or `according to`: `said Telford`, `said he`,
    `says the affable proprietor`, `according to the most recent numbers from Statistics Canada`."""
    if language.cjk:
        return _han_mention_after(text, position, language)
    elided = _ELIDED_ARTICLE.match(text, position)
    if elided is not None:  # `par l'agence de presse ČTK`, `l'AFP`: the article joined to its noun
        position = elided.end()
    rest = text[position:]
    tokens = list(WORD.finditer(rest))
    if not tokens or rest[: tokens[0].start()].strip(" ") not in {"", ","}:
        return None
    first = tokens[0].group(0)
    if first.casefold() in language.pronouns | language.object_pronouns:
        return first, position + tokens[0].start()
    if first.casefold() in TIME_WORDS:
        return None  # `said Friday`, `said today`
    stops = STOP_AFTER_SPEAKER.get(language.code, set()) | (language.frame_words - NAME_PARTICLES)  # `am Montag`
    run: list[re.Match[str]] = []
    described_until = -1
    for index, token in enumerate(tokens):
        word = token.group(0)
        gap = rest[run[-1].end() : token.start()].strip() if run else ""
        if gap and not (gap == "." and abbreviated(run[-1].group(0), language)):
            break  # punctuation ends the phrase (not the dot of `Rep. Jim McGovern`)
        role = None if run or index <= described_until else _role_before_name(tokens, index, language)
        if index <= described_until or role is not None:
            described_until = max(described_until, role if role is not None else index)
            run.append(token)  # `said oil and gas worker Mike Wipf`: the description up to its role word
            continue
        if run and word.casefold() in stops:
            break
        if not run and (elided is not None or word.casefold() in ARTICLES.get(language.code, {"the"}) | language.roles):
            run.append(token)  # `said the affable proprietor`, `said police Chief Joseph Boinnet`
            continue
        following = tokens[index + 1].group(0).casefold() if index + 1 < len(tokens) else ""
        if len(run) < 2 and word.islower() and following in language.roles:
            run.append(token)  # `said lead author Dr. Allan Garland`
            continue
        if is_name_token(word) or (run and word.casefold() in NAME_PARTICLES):
            run.append(token)
            continue
        if run and (word.casefold() in language.roles or word.casefold() == "and") and len(run) < 8:
            run.append(token)  # `Heart and Stroke senior manager Erin Kim`
            continue
        capitalized_seen = any(is_name_token(t.group(0)) for t in run)
        led = elided is not None or (run and run[0].group(0).casefold() in ARTICLES.get(language.code, {"the"}))
        if led and len(run) < 5:
            if capitalized_seen:
                break  # `der Metropolitan Police arbeiteten`: the name ended
            run.append(token)
            continue
        break
    while run and run[-1].group(0).casefold() in NAME_PARTICLES | DETERMINERS.get(language.code, set()) | {"and"}:
        run.pop()
    if not run:
        return None
    start, end = run[0].start(), run[-1].end()
    if run[0].group(0).casefold() in ARTICLES.get(language.code, {"the"}) and is_name_token(run[-1].group(0)):
        continued = _NAME_CONTINUES.match(rest, end)
        if continued and continued.group(1).casefold() not in TIME_WORDS:
            end = continued.end()  # `the National Institute on Drug Abuse`, `the Meteorology, Climatology and …`
    possessive = re.search(r"['’]s$", run[-1].group(0))
    named = _APPOSITIVE_NAME.match(rest, end)
    if named and (possessive or any(t.group(0).islower() for t in run)):
        return named.group(1), position + named.start(1)  # `says Campbell’s partner, Jason Louth`
    if possessive:  # `says Campbell’s partner`: the partner, not Campbell
        end = _DESCRIPTION_WORDS.match(rest, end).end()
    elif run[-1].group(0).casefold() in language.document_nouns:
        issuer = _ISSUED_BY.match(rest, end)  # `the most recent numbers from Statistics Canada`
        end = issuer.end() if issuer else end
    return rest[start:end], position + start


def _role_before_name(tokens: list[re.Match[str]], index: int, language: Language, reach: int = 5) -> int | None:
    """Index of the role word that lower-case words from ``index`` lead to, within ``reach`` words,
    right before a name (`oil and gas worker Mike Wipf` → `worker`); None when there is none."""
    for ahead in range(index, min(index + reach, len(tokens) - 1)):
        word = tokens[ahead].group(0)
        if not word.islower():
            return None
        if word in language.roles and is_name_token(tokens[ahead + 1].group(0)):
            return ahead
    return None


_DESCRIPTION_WORDS = re.compile(r"(?:\s+[a-z]+){0,3}")
# after a description: its words (`partner`, `dad`), then the name in commas
_APPOSITIVE_NAME = re.compile(r"(?:\s+[a-z]+){0,3},\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})(?=\s*(?:[,.;!?]|$))")


def _han_mention_before(text: str, cue_start: int, language: Language) -> tuple[str, int] | None:
    """The Han (or Latin, as Chinese news often keeps foreign names) name right before a cue:
    `俄罗斯外交部长拉夫罗夫表示` → 拉夫罗夫, `Hammel 接着说` → Hammel."""
    head = text[:cue_start].rstrip()
    for word in sorted(language.skip, key=len, reverse=True):
        if head.endswith(word):
            head = head[: -len(word)].rstrip()
            break
    latin = re.search(r"([A-Z][A-Za-zÀ-ÖØ-öø-ÿ'’-]+(?:\s+[A-Z][A-Za-zÀ-ÖØ-öø-ÿ'’-]+)*)\s*$", head)
    if latin:
        return latin.group(1), latin.start(1)
    match = re.search(r"([\u3400-\u9fff·•]{2,20})$", head)
    if not match:
        return None
    run = match.group(1)
    for pronoun in sorted(language.pronouns, key=len, reverse=True):
        if run.endswith(pronoun):
            return pronoun, match.end() - len(pronoun)
    name = han_name(run, language) or han_mention_name(run)  # `地区行政长官库尔·阿洛尔·库尔`
    if name is None or not run.endswith(name):
        return None
    return name, match.end() - len(name)


def han_name_opening(text: str) -> tuple[str, int] | None:
    """A transliterated name that opens ``text`` (`”克洛布查尔周一…告诉记者`): the quote's speaker
    when the cue after the quotation has no name right before it."""
    found = re.match(r"[\s，,”\"]*", text)
    start = found.end() if found else 0
    letters = han_transliteration()
    end = start
    while end < len(text) and (text[end] in letters or text[end] in "·•") and end - start < 8:
        end += 1
    name = text[start:end].strip("·•")
    return (name, start) if len(name) >= 3 else None


def _han_mention_after(text: str, position: int, language: Language) -> tuple[str, int] | None:
    match = re.match(r"([\u3400-\u9fff·•]{2,20}?)(?:称|说|表示|报道|消息|[，,：:])", text[position:])
    if not match:
        return None
    return match.group(1), position + match.start(1)


_ELIDED_ARTICLE = re.compile(r"[ \t]*[lL]['’](?=\w)")
LEADING_ARTICLE = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)


def clean_mention(mention: str) -> str:
    """The mention without its article, also sentence-initial: `The State Department` and `the
    State Department` are one speaker. An indefinite article before capitals stays: `A Welsh
    Conservative` is a description, not the name `Welsh Conservative`."""
    article = LEADING_ARTICLE.match(mention)
    if article is None or (article.group(0).strip().casefold() != "the" and mention[article.end() :][:1].isupper()):
        return mention
    return mention[article.end() :]
