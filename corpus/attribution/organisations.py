"""Speakers who are no one person: the organisation a description stands for (`Facebook said …
The company noted`), the issuer a document speaks for (`Foster’s book says`, `a study … by Civic
Action`), and the name an acronym abbreviates (`IRCC` → Immigration, Refugees and Citizenship Canada)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import cache

from quotetrace.corpus.attribution.mentions import clean_mention
from quotetrace.corpus.attribution.names import first_name_gender
from quotetrace.corpus.attribution.people import NAME_TOKEN, NOT_PEOPLE, opens_sentence
from quotetrace.corpus.attribution.records import Person, Quote
from quotetrace.corpus.lexicon import NAME_RUN, NOT_A_NAME, Language

_POSSESSIVE_PRONOUNS = {"her": "she", "his": "he", "its": "it", "their": "they"}
_POSSESSIVE = re.compile(r"['’]s?$")


def issuer_of(mention: str, resources_: Language) -> str | None:
    """Who speaks through a document: `Foster’s book` → Foster, `her statement` → she, `a
    statement released by the Prime Minister's Office` → the Prime Minister's Office; None when
    the mention names no document or no issuer: `the report` stays as written (the organisation
    last named is as often its subject as its author)."""
    words = mention.split()
    nouns = resources_.document_nouns
    if not nouns or len(words) < 2:
        return None
    for i, word in enumerate(words[1:-1], start=1):
        if word.casefold() in {"by", "from"} and any(w.casefold() in nouns for w in words[:i]):
            return " ".join(words[i + 1 :])
    if words[-1].casefold() not in nouns:
        return None
    if words[0].casefold() in _POSSESSIVE_PRONOUNS and len(words) <= 3:
        return _POSSESSIVE_PRONOUNS[words[0].casefold()]
    for i, word in enumerate(words[:-1]):
        if _POSSESSIVE.search(word) and (i or word[:1].isupper()):
            return " ".join([*words[:i], _POSSESSIVE.sub("", word)])
    named = words[1:-1]  # `the Civic Action study`, `The RCMP statement`; not `The New York Post`
    if (
        words[0].casefold() == "the"
        and words[-1].islower()
        and named
        and all(w[:1].isupper() and w.casefold() not in NOT_A_NAME for w in named)
    ):
        return " ".join(named)
    return None


def issuer_named_before(text: str, mention: str, position: int, resources_: Language) -> str | None:
    """`a study which is being released Monday by Civic Action` … `the study said`: a document whose
    issuer the text names where it brings the document up; for `the study` (`the white paper`), the
    latest such introduction of a study before ``position``, else of any report."""
    words = mention.split()
    article, noun = words[0].casefold(), words[-1].casefold()
    modifiers = words[1:-1]
    if (
        article not in {"the", "a", "an"}
        or noun not in resources_.document_nouns
        or len(modifiers) > (2 if article == "the" else 0)
        or not all(w.islower() for w in modifiers)
    ):
        return None
    introduced = _document_introduced(frozenset([noun]), resources_.organisation_nouns)
    if article != "the":  # `according to a study which is being released Monday by Civic Action`: here
        match = introduced.match(text, position)
        return next((group for group in match.groups() if group), None) if match else None
    found = _latest_issuer(introduced, text, position)
    if found is None and noun in resources_.report_nouns:  # `The white paper` after `A report by …`
        reports = _document_introduced(resources_.report_nouns, resources_.organisation_nouns)
        found = _latest_issuer(reports, text, position)
    return found


def issuer_just_quoted(mention: str, previous: Quote | None, quote: Quote, resources_: Language) -> str | None:
    """`The British aid group Gatsby said its director was among those killed. A statement said the
    group was “shocked”`: a document nobody is said to issue, right after someone spoke, is theirs."""
    words = mention.split()
    if (
        len(words) != 2
        or words[0].casefold() not in {"a", "an"}
        or words[1].casefold() not in resources_.document_nouns
        or previous is None
        or quote.paragraph - previous.paragraph > 1
    ):
        return None
    return previous.speaker


def _latest_issuer(introduced: re.Pattern[str], text: str, position: int) -> str | None:
    found = None
    for match in introduced.finditer(text, max(0, position - 3000), position):
        name = next(group for group in match.groups() if group)
        if name.startswith("the "):  # `the railway company`: resolved as an organisation is
            found = name
        elif clean_mention(name).split()[0].casefold() not in NOT_A_NAME:
            found = clean_mention(name)  # `The Canadian Beverage Association said in a statement`
    return found


@cache
def _document_introduced(nouns: frozenset[str], organisation_nouns: frozenset[str]) -> re.Pattern[str]:
    """A document brought up with its issuer's name: `a study … by Civic Action`, `the Civic Action
    study`, `Foster’s new book`, `X said in a statement`; or by the organisation's kind: `a report by
    the railway company` (resolved as `the railway company` is)."""
    noun = "(?:" + "|".join(sorted(map(re.escape, nouns))) + ")"
    organisations = "|".join(sorted(map(re.escape, organisation_nouns)))
    return re.compile(
        rf"\b(?:[Aa]n?|[Tt]he)\s+(?:[\w-]+\s+){{0,3}}?{noun}\s+(?:(?:which|that)\s+(?:is|was)\s+(?:being\s+)?"
        # the whole name after `by`, and not a group (`by Canadian Hockey League players`)
        rf"[a-z]+\s+(?:[\w.]+\s+){{0,2}})?by\s+(?:the\s+)?({NAME_RUN})\b(?![ \t]+(?:[A-Z]|[a-z]+s\b))"
        # `A report by the railway company`: the organisation it stands for
        rf"|\b[Aa]n?\s+(?:[\w-]+\s+){{0,3}}?{noun}\s+by\s+(the\s+(?:[a-z-]+\s+){{0,2}}(?:{organisations}))\b"
        rf"|\b[Tt]he\s+({NAME_RUN})\s+{noun}\b"
        rf"|\b({NAME_RUN})['’]s?\s+(?:[a-z-]+\s+){{0,2}}{noun}\b"
        # `The Canadian Beverage Association said in a statement`, `In a statement, IRCC said`, `Jason
        # Schultz, technical researcher at Talos, stated in the company’s blog post`
        rf"|\b({NAME_RUN})(?:,[^,.;\n]{{1,80}},)?\s+{_ISSUING}\s+in\s+{_ITS}\s+(?:[\w'’-]+\s+){{0,2}}{noun}\b"
        rf"|\b[Ii]n\s+{_ITS}\s+(?:[\w-]+\s+){{0,2}}{noun},\s+({NAME_RUN})\s+{_ISSUING}\b",
    )


_ISSUING = r"(?:said|says|wrote|writes|stated|states|added|announced|noted)"
_ITS = r"(?:a|an|the|its|their|his|her)"


_ACRONYM = re.compile(r"[A-Z]{2,6}")
# Capitalized words joined by spaces, commas and the small words of organisation names.
_NAME_SEQUENCE = re.compile(
    r"[A-Z][\w'’&-]*(?:(?:,?\s+)(?:(?:of|and|for|the|on|de|du|des|la|le|&)\s+)*[A-Z][\w'’&-]*)+"
)


def spelled_out(acronym: str, text: str) -> str | None:
    """The name an acronym abbreviates, where the text spells it out: `IRCC` → `Immigration,
    Refugees and Citizenship Canada`, `SMMT` → `Society of Motor Manufacturers and Traders`
    (the initials of its capitalized words, in order)."""
    if not _ACRONYM.fullmatch(acronym):
        return None
    for run in _NAME_SEQUENCE.finditer(text):
        capitals = list(re.finditer(r"(?<![\w'’&-])[A-Z][\w'’&-]*", run.group(0)))
        for first in range(len(capitals) - len(acronym) + 1):
            window = capitals[first : first + len(acronym)]
            if "".join(word.group(0)[0] for word in window) == acronym and all(
                not word.group(0).isupper() for word in window
            ):
                return run.group(0)[window[0].start() : window[-1].end()]
    return None


_BEFORE_ORGANISATION = NOT_A_NAME | {"the", "a", "an", "another", "this", "in", "on", "at"}
# a capitalized run as organisations are written: `Procter & Gamble`, `Parole Board of Canada`
_ORGANISATION_TOKEN = rf"(?:(?:[A-Z]\.){{2,}}|{NAME_TOKEN})"  # `U.S.` whole, not `U.` and `S. State Department`
_ORGANISATION_RUN = re.compile(
    rf"(?<![\w'’.-]){_ORGANISATION_TOKEN}(?:(?<!['’]s)[ \t]+(?:(?:of|for|&)[ \t]+)?{_ORGANISATION_TOKEN})*"
)
# what follows the subject of a clause: an auxiliary or a verb in the past or third person (`IBM
# rocketed`, `IRCC did not`, `TransLink says`); not a noun (`BMO Research analyst Keith Bachman`)
_VERB_AFTER = re.compile(
    r"[ \t]+(?:also[ \t]+|still[ \t]+|has[ \t]+|had[ \t]+)?"
    r"(?:is|was|are|were|has|had|did|does|will|would|could|can|may|must|should|[a-z]{2,}ed|[a-z]{2,}[^s\W]s)\b"
)
_PAST_AFTER = re.compile(r"[ \t]+(?:also[ \t]+)?(?:[a-z]{2,}ed|said|told|did|was|has|had)\b")
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s")
# words after which a name is an object, not a subject: `by TransLink`, `for Tesla and Musk`
_BEFORE_OBJECT = {
    "by", "of", "to", "with", "from", "for", "at", "in", "on", "into", "about", "against", "than", "the", "a", "an",
    "and", "or", "like", "as", "via", "over", "under", "told",
}  # fmt: skip


def organisation_referred_to(
    text: str,
    mention: str,
    position: int,
    people: list[Person],
    resources_: Language,
    mid_sentence: Callable[[], frozenset[str]],
    window: int = 1500,
) -> str | None:
    """`Facebook said … The company noted …`: a definite `the company` (`the agency`, `the
    Calgary-based railway`) stands for the organisation that was last the subject of a clause
    before it (a capitalized name followed by a verb, and nobody's name) or last named with that
    noun in its name (`Parole Board of Canada` … `the parole board`); an organisation the text calls
    so (`Rally Canada, the group that …`) comes first. A kind named in names (`the city`) is only
    ever such a name. (An organisation named in the sentence before as an object, `… by TransLink.
    The agency told`, was tried: it took `the fire department` for `New Delhi` and `the firm` for a
    partner named after the subject.)"""
    words = mention.split()
    noun = words[-1].casefold()
    modifiers = words[1:-1]
    if (
        words[0].casefold() != "the"
        or noun not in resources_.organisation_nouns
        or len(modifiers) > 2
        or not all(w.islower() or "-" in w for w in modifiers)
    ):
        return None
    kind = next((w for w in (noun, *map(str.casefold, modifiers)) if w in resources_.organisation_kinds), None)
    if kind is not None:  # `the railway company` is a railway
        return _organisation_of_kind(text, kind, people)
    names_of_people = {part for person in people if person.likely_person for part in person.parts}
    found = named = None
    sentence_subject_until = 0
    for match in _ORGANISATION_RUN.finditer(text, max(0, position - window), position):
        tokens = _organisation_tokens(match.group(0))
        if not tokens or any(t in names_of_people for t in tokens) or first_name_gender(tokens[0]):
            continue
        name = " ".join(tokens)
        if len(tokens) > 1 and noun in {_POSSESSIVE.sub("", t).casefold() for t in tokens}:
            found = _POSSESSIVE.sub("", name)  # `the Parole Board of Canada's logic` … `The parole board`
            continue
        single = len(tokens) == 1 and (len(tokens[0]) < 3 or tokens[0].casefold() in NOT_PEOPLE)
        if (
            single
            or any(_POSSESSIVE.search(t) for t in tokens)  # `Musk's`, `Mayors' Council`
            or (len(tokens) == 1 and tokens[0] not in mid_sentence())
        ):
            continue  # and `Mayors` opening a sentence is a common noun, `Suncor` a name
        after = text[match.end() : match.end() + 40]
        if re.match(rf",\s+(?:the|a|an)\s+(?:[\w'’-]+\s+){{0,3}}{re.escape(noun)}\b", after, re.IGNORECASE):
            named = name  # `Rally Canada, the group that organized …`: called so in so many words
            continue
        if match.start() < sentence_subject_until:
            continue  # `Google said Thursday that Apple has …`: the sentence's own subject stays the topic
        before = re.search(r"([A-Za-z]+)[ \t]+$", text[max(0, match.start() - 20) : match.start()])
        opens = opens_sentence(text, match.start()) or (  # `The U.S. State Department said`
            before is not None and before.group(1) == "The" and opens_sentence(text, match.start() - 4)
        )
        if opens or before is None:  # `IBM rocketed`, `In a statement, IRCC did`
            if _VERB_AFTER.match(after) or resources_.cue_pattern.match(after.lstrip()):
                found = name
                sentence_end = _SENTENCE_END.search(text, match.end(), position)
                sentence_subject_until = sentence_end.end() if sentence_end else position
                continue
        elif before.group(1).casefold() not in _BEFORE_OBJECT and _PAST_AFTER.match(after):
            found = name  # `maker Procter & Gamble rallied`, not `wealthy Chinese citizens`
            continue
    return named or found


def _organisation_tokens(run: str) -> list[str]:
    tokens = run.split()
    while tokens and tokens[0].casefold() in _BEFORE_ORGANISATION:
        tokens = tokens[1:]
    return tokens


def _organisation_of_kind(text: str, noun: str, people: list[Person]) -> str | None:
    """`the city`: the name with `City` in it that the article gives most, before or after the
    mention (`City of Surrey` five times, not `Langley City` once); None when it gives none."""
    names_of_people = {part for person in people if person.likely_person for part in person.parts}
    counts: Counter[str] = Counter()
    for match in _ORGANISATION_RUN.finditer(text):
        tokens = [_POSSESSIVE.sub("", t) for t in _organisation_tokens(match.group(0))]
        if len(tokens) > 1 and noun in {t.casefold() for t in tokens} and not names_of_people.intersection(tokens):
            counts[" ".join(tokens)] += 1
    return counts.most_common(1)[0][0] if counts else None


_MID_SENTENCE_WORD = re.compile(r"[a-z,]\s+([A-Z][\w'’-]*)(?![\w'’-])(?![ \t]+[A-Z])")


def capitalized_mid_sentence(text: str) -> frozenset[str]:
    """Words written capitalized, on their own, after a lower-case word somewhere in ``text``:
    names, unlike common nouns that open a sentence (`Mayors`) or a longer name (`the Mayors
    Council`). One pass over the text."""
    return frozenset(_MID_SENTENCE_WORD.findall(text))
