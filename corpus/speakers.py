"""Speakers: who said it, by full name, within an article and across the corpus.

In an article, a mention as written (`he`, `Lavrov`, `the Russian president`) resolves to a
full name introduced in the text (`Russian President Vladimir Putin`): surnames by name-part
match, pronouns to the nearest preceding speaker or person, role phrases by the role words seen
with each name. Across the corpus, names are compared through transliteration (Лавров → Lavrov,
Sergey → Sergei) and a consonant skeleton that also matches Chinese renderings (拉夫罗夫 → la fu
luo fu → lflf ← lavrov); people who only share a surname stay apart unless context (a role)
joins them.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from anyascii import anyascii

from quotetrace.corpus import resources
from quotetrace.corpus.lexicon import (
    HAN,
    NAME_PARTICLES,
    NAME_RUN,
    NOT_A_NAME,
    Language,
    han_name,
    language_resources,
    plural_noun,
)
from quotetrace.corpus.names import first_name_gender, romanized
from quotetrace.corpus.records import Person, Quote

_NAME_TOKEN = r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ]\.|[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][\w'’-]*)"
_CAPITALIZED_RUN = re.compile(
    # a possessive ends a name: `Ellison’s Sensei project`, `the Star's Karon Liu`
    rf"(?<![\w'’-]){_NAME_TOKEN}"
    rf"(?:(?<!['’]s)[ \t]+(?:(?:of|de|van|von|der|la|le|al|bin|da|di|del)[ \t]+)?{_NAME_TOKEN})*"
)
# first words of places, never of a person's name: `New York choreographer Jeanine Durning`
_PLACE_OPENERS = {
    "New", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Upper", "Lower",
}  # fmt: skip
_CREDIT = re.compile(r"[ \t]*/")
_HAN_RUN = re.compile(r"[\u3400-\u9fff·•]{2,}")
_NOT_PEOPLE = {
    "authority", "championship", "development", "research", "health", "catholic", "club", "league", "cup", "games",
    "festival", "airport", "station", "centre", "center", "park", "river", "lake", "island", "bay", "valley", "road",
    "highway", "bridge", "hall", "museum", "library", "network", "media", "press", "radio", "tv", "television",
    "channel", "magazine", "journal", "review", "report", "act", "bill", "law", "plan", "project", "program",
    "programme", "fund", "trust", "board", "chamber", "bureau", "society", "alliance", "coalition", "front",
    "movement", "team", "fc", "united", "town", "village", "province", "territory", "north", "south", "east", "west",
    "canadian", "american", "british", "black", "white", "safe", "global", "national", "international", "federal",
    "royal", "general", "public", "social", "energy", "oil", "gas", "power", "air", "water", "security", "defence",
    "defense", "affairs", "world", "day", "week", "year", "minister", "ministers", "prime", "president", "premier",
    "canada", "china", "russia", "ukraine", "europe", "america", "britain", "france", "germany", "india", "japan",
    "mexico", "ottawa", "toronto", "vancouver", "calgary", "edmonton", "montreal", "washington", "london", "paris",
    "moscow", "beijing", "kyiv", "brussels", "court", "supreme", "senate", "congress", "cabinet", "heights", "county",
    "street", "square", "beach", "hills", "falls", "springs", "creek", "harbour", "harbor", "port", "mount",

    "party", "ministry", "university", "council", "department", "committee", "agency", "bank", "inc", "news", "times",
    "post", "government", "federation", "union", "police", "service", "commission", "assembly", "parliament",
    "association", "company", "group", "institute", "hospital", "school", "house", "office", "force", "forces",
    "army", "navy", "airlines", "corp", "ltd", "foundation", "church", "city", "state", "states", "region",
    "avenue", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
}  # fmt: skip
_FULL_NAME, _SURNAME, _PRONOUN, _ROLE, _CONTINUED, _AS_WRITTEN, _DESCRIBED = 0.95, 0.85, 0.7, 0.6, 0.6, 0.5, 0.45


def last_before(positions: list[int], position: int) -> int:
    """The last of the sorted ``positions`` before ``position``; -1 when none is."""
    index = bisect.bisect_left(positions, position)
    return positions[index - 1] if index else -1


_PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f", "он": "m", "она": "f", "він": "m", "вона": "f",
                   "er": "m", "il": "m", "elle": "f", "él": "m", "ella": "f", "他": "m", "她": "f"}  # fmt: skip


def people_in(text: str, language: str | None) -> list[Person]:
    """Names of two or more parts (or Han-script names) in ``text``, role words split off:
    `Foreign Minister of Russia Sergei Lavrov` → Sergei Lavrov, roles {foreign, minister, russia}."""
    resources_ = language_resources(language)
    roles = resources_.roles
    found: dict[str, Person] = {}
    if resources_.cjk:
        for match in resources_.cue_pattern.finditer(text):  # Han script has no capitals: names are
            head = text[: match.start()]  # what stands before a cue, cut out of its run
            run = re.search(r"[\u3400-\u9fff·•]{2,20}$", head)
            name = han_name(run.group(0), resources_) if run else None
            if name and name not in resources_.pronouns:
                person = found.setdefault(name, Person(name))
                person.roles |= _han_roles(run.group(0)[: -len(name)], roles)
        for name, person in found.items():
            person.positions = [m.start() for m in re.finditer(re.escape(name), text)]
        return list(found.values())
    places = places_in(text)
    for match in _CAPITALIZED_RUN.finditer(text):
        tokens = match.group(0).split()
        while tokens and tokens[0].casefold() in resources_.openers:
            tokens = tokens[1:]  # `Wie Chad Hammel sagte`: `Wie` opens the sentence
        name_tokens, role_tokens = split_roles(tokens, roles)
        if len(name_tokens) < 2 or len(name_tokens) > 4 or not _person_tokens(name_tokens):
            continue
        if name_tokens[0].casefold() in NOT_A_NAME or name_tokens[0] in _PLACE_OPENERS or "of" in name_tokens:
            continue  # `Three of Durning’s dancers`: of joins roles and places to names, never two names
        name = " ".join(name_tokens)
        if name in places or _in_credit(text, match.start(), match.end()):
            continue
        person = found.setdefault(name, Person(name))
        person.roles |= role_tokens | _described_as(text, match.start(), match.end(), roles)
        position = match.start() + match.group(0).find(name_tokens[0])
        person.positions.append(position)
        if _opens_sentence(text, match.start()) and not _COORDINATED.match(text, match.end()):
            person.subject_positions.append(position)
    _add_surname_mentions(text, found)
    _drop_caption_mentions(text, found.values())
    _add_pronoun_genders(text, found.values(), resources_.pronouns)
    return list(found.values())


# a paragraph ending in a short parenthesis without a full stop: `( THE CANADIAN PRESS FILE PHOTO )`,
# `(Luis Tato/AFP/Getty Images)`, `(Submitted by Wendy Golden)`: a photo caption and its credit
_CAPTION = re.compile(r"(?m)^[^\n]*\((?:[^().\n]|\.(?=\S))*\)[ \t]*$")


def _drop_caption_mentions(text: str, people: Iterable[Person]) -> None:
    """Forget mentions in photo captions (`Benjamin Layne, a retired porter, looks at a display of
    photos … ( THE CANADIAN PRESS FILE PHOTO )`): a caption interrupts the story, and the `he says`
    after it is still the story's last speaker. The person stays known by name."""
    captions = [m.span() for m in _CAPTION.finditer(text) if len(m.group(0)[m.group(0).rindex("(") :].split()) <= 7]
    if not captions:
        return
    starts = [start for start, _ in captions]

    def in_caption(at: int) -> bool:
        index = bisect.bisect_right(starts, at) - 1
        return index >= 0 and at < captions[index][1]

    for person in people:
        person.positions = [at for at in person.positions if not in_caption(at)]
        person.subject_positions = [at for at in person.subject_positions if not in_caption(at)]


_SENTENCE_REST = re.compile(r"[^.!?\n]{0,200}")


@cache
def _gendered_subject_pronoun(pronouns: frozenset[str]) -> re.Pattern[str] | None:
    """The language's subject pronouns that tell a gender (`he`, `she`; `он`, `она`), as one pattern."""
    gendered = sorted(p for p in pronouns if p in _PRONOUN_GENDER)
    return re.compile(r"\b(" + "|".join(gendered) + r")\b", re.IGNORECASE) if gendered else None


def _add_pronoun_genders(text: str, people: Iterable[Person], pronouns: frozenset[str]) -> None:
    """A person whose first name tells no gender (or either) takes that of the first subject pronoun
    in a sentence their name (or their first name alone) opens, before any other name: `Mamadou Dia
    was on a business trip … when he ended up huddled …`, `Jayme told police she could hear the
    sirens`. News introduces people this way, and names from outside the first-name list (most of the
    world's) would otherwise lose every `he` to the nearest John. (A pronoun opening the next
    sentence was tried too: it gained nothing on GGT and gave NTREX's Russian `Он` to the footballer
    the coach was talking about.)"""
    subject_pronoun = _gendered_subject_pronoun(pronouns)
    if subject_pronoun is None:
        return
    people = list(people)
    starts = sorted(at for person in people for at in person.positions)
    first_names = Counter(person.parts[0] for person in people)

    @cache
    def alone_opening() -> dict[str, list[int]]:  # `Jayme told police`: a word opening a sentence alone
        found: dict[str, list[int]] = defaultdict(list)
        for match in _WORD_OPENING_ALONE.finditer(text):
            found[match.group(1)].append(match.start(1))
        return found

    for person in people:
        if person.gender not in (None, "fm"):  # `Michelle` is a man's name in French: the text decides
            continue
        openings = [
            (at, len(person.name) if text.startswith(person.name, at) else len(family_name(person.parts)))
            for at in person.subject_positions
        ]
        first = person.parts[0]
        if len(person.parts) > 1 and first_names[first] == 1:
            openings += [(at, len(first)) for at in alone_opening().get(first, ())]
        for at, length in sorted(openings):
            end = at + length
            rest = _SENTENCE_REST.match(text, end).group(0)
            following = bisect.bisect_right(starts, at)  # another name before the pronoun: not theirs
            if following < len(starts) and starts[following] < end + len(rest):
                rest = rest[: max(0, starts[following] - end)]
            pronoun = subject_pronoun.search(rest)
            if pronoun:
                person.pronoun_gender = _PRONOUN_GENDER[pronoun.group(1).casefold()]
                break


_WORD_OPENING_ALONE = re.compile(r"(?:^|[.!?][\"”’]?[ \t]+|\n[ \t\"“]*)([A-Z][\w'’-]*)(?![\w'’-])(?![ \t]+[A-Z])", re.M)


_KOREAN_GIVEN_NAME = re.compile(r"[A-Z][a-z]+-[a-z]+")


def family_name(parts: list[str]) -> str:
    """The part a person is called by alone: the last, but the first of a Korean name written family
    name first (`Kim Jong-un`, `Moon Jae-in`: `Kim said`)."""
    return parts[0] if len(parts) == 2 and _KOREAN_GIVEN_NAME.fullmatch(parts[1]) else parts[-1]


def _add_surname_mentions(text: str, people: dict[str, Person]) -> None:
    """Later mentions by surname alone (`Patterson dragged …`) count as the person's (of two with
    that surname, the one named last in full): recency decides what `he` refers to."""
    owners: dict[str, list[Person]] = defaultdict(list)
    for person in people.values():
        if len(family_name(person.parts)) >= 3:
            owners[family_name(person.parts)].append(person)
    if not owners:
        return
    found: dict[str, list[int]] = defaultdict(list)
    for match in _CAPITALIZED_WORD.finditer(text):
        bearers = owners.get(match.group(0))
        if not bearers:
            continue
        # of two people with one surname (Jeanine and her father Charles Durning), the one named last
        person = max(bearers, key=lambda p: last_before(p.positions, match.start() + 1))
        full_name_at = last_before(person.positions, match.start() + 1)
        if len(bearers) > 1 and full_name_at < 0:
            continue  # neither named yet
        if 0 <= match.start() - full_name_at < len(person.name) + 2:
            continue  # part of a full-name mention already counted
        found[person.name].append(match.start())
    for person in people.values():
        for position in found.get(person.name, []):
            person.positions.append(position)
            if _opens_sentence(text, position) and not _COORDINATED.match(
                text, position + len(family_name(person.parts))
            ):
                person.subject_positions.append(position)
        person.positions.sort()
        person.subject_positions.sort()


_CAPITALIZED_WORD = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][\w'’-]*")


_APPOSITIVE = re.compile(r",\s+(?:the|a|an|his|her|their)\s+([^,.;:()]{3,60}?)\s*[,.;]")
_WORDS_BEFORE = re.compile(r"((?:[\w'’.-]+\s+){1,3})$")


@cache
def _role_stems(roles: frozenset[str]) -> frozenset[str]:
    return frozenset(role[:5] for role in roles if len(role) >= 5)


# `Silverman and Svensson have also won`: two people open the sentence, neither is its subject alone
_COORDINATED = re.compile(r"[ \t]+(?:and|&|und|et|y|и|і)[ \t]+[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ]")


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip(' \t"“”‘’«»')
    before = re.sub(r"(?:[Tt]he|[Aa]|[Aa]n|[a-z]+ )*$", "", before).rstrip(" \t")
    return not before or before.endswith((".", "!", "?", "\n", ":", "—"))  # `\n`: a paragraph opens


def _described_as(text: str, start: int, end: int, roles: frozenset[str]) -> set[str]:
    """Role words written just around a name: lower-case roles before it (`WHL commissioner Ron
    Robison`, `police Chief …`) and an appositive after it (`Andre Campbell, the bow-tied
    maverick,`), so that later role phrases (`the bow-tied maverick says`) find the person."""
    found: set[str] = set()
    before = _WORDS_BEFORE.search(text[max(0, start - 60) : start])
    if before:
        words = before.group(1).split()
        stems = _role_stems(roles)
        for word in reversed(words):
            key = word.casefold().strip(".,")
            if key not in roles and key[:5] not in stems and not word.isupper():
                break  # `mayoral candidate Doug McCallum`: role words by their stem
            found.add(key)
    appositive = _APPOSITIVE.match(text, end)
    if appositive:
        found |= {w.casefold() for w in re.findall(r"[^\W\d_][\w-]*", appositive.group(1)) if len(w) > 2}
    return found


def split_roles(tokens: list[str], roles: frozenset[str]) -> tuple[list[str], set[str]]:
    """Name tokens and role words of a capitalized run: `Foreign Minister of Russia Sergei
    Lavrov` → ([Sergei, Lavrov], {foreign, minister, russia})."""
    cut = 0
    for i, token in enumerate(tokens):
        if (
            token.casefold().rstrip(".") in roles
            or token.casefold() in roles
            or _hyphenated_role(token, roles)
            or _is_role_adjective(token, tokens, i, roles)
        ):
            cut = i + 1
    if cut and cut < len(tokens) - 2 and tokens[cut].casefold() in NAME_PARTICLES:
        cut += 2  # `Minister of Russia Sergei Lavrov`: `of Russia` belongs to the role
    while cut and len(tokens) - cut >= 3 and not first_name_gender(tokens[cut]):
        if not any(first_name_gender(t) for t in tokens[cut + 1 : -1]):
            break
        cut += 1  # `Міністр закордонних справ Македонії Георге Іванов`: the country belongs to the role
    name = [re.sub(r"['’]s$", "", t).rstrip(".,") if len(t) > 2 else t for t in tokens[cut:]]
    role_words = {t.casefold().rstrip(".") for t in tokens[:cut] if t.casefold() not in NAME_PARTICLES}
    name = [t for t in name if t]
    if "of" in name[2:] and first_name_gender(name[0]):  # `Richard Shelby of Alabama`, `Jingyi Pan of IG`
        name = name[: name.index("of", 2)]
    return name, role_words


def _hyphenated_role(token: str, roles: frozenset[str]) -> bool:
    """`Vice-President`; not `Jong-un` (`un`, as in UN, is too short to tell)."""
    suffix = token.casefold().rpartition("-")[2]
    return "-" in token and len(suffix) > 2 and suffix in roles


_MONTH_SURNAMES = {"may", "june", "april", "august"}  # Theresa May, Brian May


def _person_tokens(tokens: list[str]) -> bool:
    """Every token can be part of a person's name (a month only as the surname after a known
    first name: `Theresa May`)."""
    if tokens[-1].casefold() in _MONTH_SURNAMES and first_name_gender(tokens[0]):
        tokens = tokens[:-1]
    return all(map(_person_token, tokens))


_AFTER_LOCATIVE = re.compile(
    r"\b(?:in|across|throughout|near|at the|in the)\s+([A-Z][\w’'-]*(?:[ \t]+[A-Z][\w’'-]*)*)(?!['’])"
)


def places_in(text: str) -> frozenset[str]:
    """Capitalized runs the text puts after a locative (`in Nova Scotia`, `at the Sony Open`): places
    and events, though they may start with a first name. One pass over the text."""
    return frozenset(match.group(1) for match in _AFTER_LOCATIVE.finditer(text))


def _in_credit(text: str, start: int, end: int) -> bool:
    """`(Lauren Pelley / CBC News)`, `(Luis Tato/AFP/Getty Images)`: a photo credit names no one in
    the story."""
    return bool(_CREDIT.match(text, end)) or text[max(0, start - 1)] == "/"


def _person_token(token: str) -> bool:
    """A token a person's name can have: not an organisation or place word, no inner capitals
    (`SkyTrain`), no hyphenated acronyms (`WGC-Mexico`); a double-barrelled name's parts each
    (`Wilson-Raybould`)."""
    if token.casefold() in _NOT_PEOPLE:
        return False
    parts = [p.replace("'", "").replace("’", "").replace(".", "") for p in token.split("-")]
    if not all(parts):
        return False
    for core in parts:
        if len(core) > 1 and core.isupper():
            return False
        if any(c.isupper() for c in core[1:]) and not re.fullmatch(r"(?:Mc|Mac|O|De|Di|La|Le|Van)[A-Z]\w+", core):
            return False
    return True


def _is_role_adjective(token: str, tokens: list[str], i: int, roles: frozenset[str]) -> bool:
    """`Russian` in `Russian President`, `Hungarian` in `Hungarian Prime Minister`."""
    return (
        i + 1 < len(tokens)
        and tokens[i + 1].casefold() in roles
        and token[:1].isupper()
        and token.casefold().endswith(("ian", "ish", "ese", "an", "ic", "i", "ch", "ean"))
    )


def _han_roles(run: str, roles: frozenset[str]) -> set[str]:
    """Han role words written before a name (`俄罗斯外交部长` before 拉夫罗夫)."""
    return {role for role in roles if _HAN_RUN.fullmatch(role) and role in run}


def resolve_in_article(text: str, quotes: list[Quote], language: str | None, continuation_paragraphs: int = 2) -> None:
    """Fill ``speaker``, ``speaker_role`` and ``speaker_confidence`` of ``quotes`` in place."""
    people = people_in(text, language)
    resources_ = language_resources(language)

    @cache
    def mid_sentence() -> frozenset[str]:  # only articles that say `the company` need it
        return capitalized_mid_sentence(text)

    def organisation(described_as: str, quote: Quote, position: int) -> str | None:
        """The organisation `the company` stands for, named before the quote (a name inside it,
        `"We're working with Apple"`, is its topic), in full where the article spells it out."""
        named_by = min(position, quote.start)
        found = _organisation_referred_to(text, described_as, named_by, people, resources_, mid_sentence)
        return found and (spelled_out(found, text) or found)

    previous: Quote | None = None
    for quote in sorted(quotes, key=lambda q: q.start):
        if quote.kind == "block_intro":
            continue
        mention = quote.speaker_mention
        person: Person | None = None
        confidence = None
        if mention is None:
            introduced = _introduced_since(people, previous, quote)
            if introduced is not None:  # `Ben Myers, president of …, says …` ¶ `"…"`: the newly named person
                quote.speaker, quote.speaker_role = introduced.name, " ".join(sorted(introduced.roles)) or None
                quote.speaker_confidence = _CONTINUED
            elif previous and previous.speaker and quote.paragraph - previous.paragraph <= continuation_paragraphs:
                quote.speaker, quote.speaker_role = previous.speaker, previous.speaker_role
                quote.speaker_confidence = round(_CONTINUED * (previous.speaker_confidence or 1.0), 3)
            previous = quote if quote.speaker else previous
            continue
        position = quote.mention_start if quote.mention_start is not None else quote.start
        issuer = (
            _issuer_of(mention, resources_)
            or _issuer_named_before(text, mention, position, resources_)
            or _issuer_just_quoted(mention, previous, quote, resources_)
        )
        if issuer is not None:  # `Foster’s book says`: Foster speaks through it
            mention = issuer
        if mention.casefold() in resources_.pronouns or mention.casefold() in resources_.object_pronouns:
            person = _pronoun_antecedent(text, people, previous, quote, position, mention, resources_.roles)
            confidence = _PRONOUN
            if person is None and mention.casefold() == "it":  # `EDC declined to answer … “…,” it said`
                named = organisation("the organisation", quote, position)  # what `it` stands for, if anyone
                if named is not None:
                    quote.speaker, quote.speaker_confidence = named, _DESCRIBED
        elif _is_role_phrase(mention, resources_):
            person = None if _someone_unnamed(mention, resources_) else _by_role(people, mention, position)
            if person is None and _indefinite(mention):  # a lede, named next
                person = _by_role([p for p in people if p.positions and p.positions[0] > position], mention, position)
            if person is not None and _unnamed_since(text, mention, position, last_before(person.positions, position)):
                person = None  # `a justice official said …` ¶ `The justice official told …`: that one again
            confidence = _ROLE
            named = organisation(mention, quote, position) if person is None else None
            if person is None and named is not None:
                quote.speaker, quote.speaker_confidence = named, _DESCRIBED
            elif person is None and _describes_a_person(mention, resources_):
                # `the 26-year-old right wing`: someone named just before, in other words
                likely = [p for p in people if p.likely_person]
                person = _nearest_subject_before(likely, position) or _nearest_before(likely, position)
                confidence = _DESCRIBED
            if person is None and named is None:  # `The Times`, `his office`, `the union`: as written
                quote.speaker, quote.speaker_confidence = _clean_mention(mention), _AS_WRITTEN
        else:
            person, confidence = _by_name(people, mention, resources_.roles)
            if person is not None and confidence == _FULL_NAME:
                person.quoted = True  # `Babatunji Farinloye, 50, says`: whom `he` may stand for next
            if person is None:
                written = _clean_mention(mention)
                quote.speaker = spelled_out(written, text) or written  # `IRCC` → its full name
                quote.speaker_confidence = _AS_WRITTEN
        if person is not None:
            quote.speaker, quote.speaker_confidence = person.name, confidence
            quote.speaker_role = " ".join(sorted(person.roles)) or None
        if issuer is not None and quote.speaker_confidence is not None:
            quote.speaker_confidence = min(quote.speaker_confidence, _DESCRIBED)
        previous = quote if quote.speaker else previous


@cache
def _indefinites() -> tuple[frozenset[str], tuple[str, ...]]:
    """Indefinite articles of every language (a speaker is one whatever the article's language):
    words, and the Han prefixes (`一位`)."""
    words = {w for per_language in resources.load("people")["indefinites"].values() for w in per_language}
    return frozenset(w for w in words if not HAN.match(w)), tuple(w for w in words if HAN.match(w))


def _indefinite(mention: str) -> bool:
    """`a Welsh Conservative`, `un responsable`, `一位威尔士保守党人士`: someone the mention does not name."""
    words, prefixes = _indefinites()
    first = mention.split(maxsplit=1)[0].casefold() if mention.split() else ""
    return first in words or mention.startswith(prefixes)


def _someone_unnamed(mention: str, resources_: Language) -> bool:
    """`a veteran Boston-based engineer said`, `justice officials said`, `the bank said`: someone the
    article has not named (an indefinite or plural description), or an organisation, however
    near a named engineer, official or bank president stands. (`A Vancouver hockey coach says …`
    opening a story may still be named after.)"""
    words = _head_phrase(mention.split())
    head = words[-1].casefold()
    return (
        _indefinite(mention)
        or head in resources_.organisation_nouns
        or (head not in resources_.roles and head.endswith("s") and head.rstrip("s") in resources_.roles)
    )


def _unnamed_since(text: str, mention: str, position: int, named_at: int) -> bool:
    """`The justice official told …` after `a justice official said …`: the definite description
    takes up the unnamed person introduced since the named one was last mentioned."""
    introduced = _introduced_unnamed(mention.split()[-1])
    return any(named_at < found.start() for found in introduced.finditer(text, max(0, named_at), position))


@cache
def _introduced_unnamed(head: str) -> re.Pattern[str]:
    """`a justice official`, `another senior official`: someone brought in by description."""
    return re.compile(rf"\b(?:[Aa]n?|[Aa]nother)\s+(?:[\w'’-]+\s+){{0,3}}{re.escape(head)}\b")


_POSSESSIVE_PRONOUNS = {"her": "she", "his": "he", "its": "it", "their": "they"}
_POSSESSIVE = re.compile(r"['’]s?$")


def _issuer_of(mention: str, resources_: Language) -> str | None:
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


def _issuer_named_before(text: str, mention: str, position: int, resources_: Language) -> str | None:
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


def _issuer_just_quoted(mention: str, previous: Quote | None, quote: Quote, resources_: Language) -> str | None:
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
        elif _clean_mention(name).split()[0].casefold() not in NOT_A_NAME:
            found = _clean_mention(name)  # `The Canadian Beverage Association said in a statement`
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
_ORGANISATION_RUN = re.compile(rf"(?<![\w'’-]){_NAME_TOKEN}(?:(?<!['’]s)[ \t]+(?:(?:of|for|&)[ \t]+)?{_NAME_TOKEN})*")
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


def _organisation_referred_to(
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
    names_of_people = {part for person in people for part in person.parts}
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
        single = len(tokens) == 1 and (len(tokens[0]) < 3 or tokens[0].casefold() in _NOT_PEOPLE)
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
        if _opens_sentence(text, match.start()) or before is None:  # `IBM rocketed`, `In a statement, IRCC did`
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


_AGE = re.compile(r"\b\d{1,3}-year-old\b")


def _describes_a_person(mention: str, resources_: Language) -> bool:
    """A definite description that gives an age (`the 32-year-old labourer`) or an epithet (`the
    bow-tied maverick`, `the lanky, bespectacled professor`): someone the article has just named.
    Not `the company`, and not a bare function (`the official`, often an unnamed source)."""
    words = mention.split()
    if words[0].casefold() != "the":
        return False
    if _AGE.search(mention):
        return True
    words = _head_phrase(words)
    epithet = any("-" in w[1:-1] for w in words[1:-1]) or "," in mention
    head = words[-1].casefold()
    return epithet and not head.endswith("s") and head not in resources_.organisation_nouns


def _head_phrase(words: list[str]) -> list[str]:
    """`the former sergeant-at-arms of the House of Commons` → `the former sergeant-at-arms`: the
    description up to the organisation it belongs to."""
    return words[: words.index("of")] if "of" in words[2:] else words


def is_proper_name(mention: str) -> bool:
    """Every word after an article is capitalized (or Han): a person or an organisation, not a
    description (`his office`, `union`); only such speakers get a corpus-wide ``speaker_id``."""
    if _indefinite(mention):
        return False
    small = {"the", "a", "an", "of", "on", "for", "and", "&", "de", "der", "la", "le"}  # `Institute on Drug Abuse`
    content = [w for w in mention.split() if w.casefold() not in small]
    return bool(content) and all(w[:1].isupper() or _HAN_RUN.match(w) for w in content)


_ARTICLE = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)


def _clean_mention(mention: str) -> str:
    """The mention without its article, also sentence-initial: `The State Department` and `the
    State Department` are one speaker. An indefinite article before capitals stays: `A Welsh
    Conservative` is a description, not the name `Welsh Conservative`."""
    article = _ARTICLE.match(mention)
    if article is None or (article.group(0).strip().casefold() != "the" and mention[article.end() :][:1].isupper()):
        return mention
    return mention[article.end() :]


def _is_role_phrase(mention: str, resources_: Language) -> bool:
    """`the Russian president`, `Russian leader`; not `the Kenya Red Cross` (a name: no role word)."""
    words = mention.split()
    first, last = words[0].casefold(), words[-1].casefold()
    if first in {"the", "a", "an", "der", "die", "le", "la", "el"}:
        return not is_proper_name(mention) or any(w.casefold() in resources_.roles for w in words[1:])
    return last in resources_.roles and " " in mention


def _by_name(people: list[Person], mention: str, roles: frozenset[str]) -> tuple[Person | None, float | None]:
    mention = re.sub(r"['’]s$", "", mention)
    parts, _ = split_roles(mention.split(), roles)
    person = parts[: parts.index("of")] if "of" in parts[2:] else []
    if person and (len(person) == 2 or first_name_gender(person[0])) and _person_tokens(person):
        parts = person  # `Jingyi Pan of IG`: the person, not the firm (not `Animal Protection Services of …`)
    if not parts:
        return None, None
    mention = " ".join(parts)
    exact = [p for p in people if p.name == mention]
    if exact:
        return exact[0], _FULL_NAME
    if _HAN_RUN.fullmatch(mention):
        containing = [p for p in people if mention in p.name or p.name in mention]
        return (max(containing, key=lambda p: len(p.positions)), _SURNAME) if containing else (None, None)
    containing = [p for p in people if _names_match(p.parts, parts)]
    if containing:
        return max(containing, key=lambda p: (len(p.positions), len(p.name))), _FULL_NAME if len(
            parts
        ) > 1 else _SURNAME
    if len(parts) >= 2 and all(p[:1].isupper() for p in parts) and not _ARTICLE.match(mention):
        return Person(mention), _FULL_NAME  # a name nobody else in the article bears; `The X` is an organisation
    return None, None


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[\x00-\u024f\s·]+")


def _same_part(a: str, b: str) -> bool:
    """Name parts equal, or (Cyrillic) the same name in another case: Хаммела ~ Хаммел."""
    if a == b:
        return True
    if not (_CYRILLIC.match(a) and _CYRILLIC.match(b)):
        return False
    short, long = sorted((a.casefold(), b.casefold()), key=len)
    return len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short[:-1])


def _names_match(person: list[str], mention: list[str]) -> bool:
    """A mention names a person: its parts end the person's name, or its one part is one of it."""
    if _same_parts(person[-len(mention) :], mention):
        return True
    return len(mention) == 1 and any(_same_part(part, mention[0]) for part in person)


def _same_parts(a: list[str], b: list[str]) -> bool:
    return len(a) == len(b) and all(_same_part(x, y) for x, y in zip(a, b, strict=True))


def same_person(a: str, b: str) -> bool:
    """Two spellings of one name, across scripts: the surnames agree once romanized (Lavrov,
    Лавров, Lawrow), by consonant skeleton (拉夫罗夫), or as inflected forms (Хаммела)."""
    if not a or not b:
        return False
    last_a, last_b = _surname(a), _surname(b)
    if romanized(last_a) == romanized(last_b) or _same_part(last_a, last_b):
        return True
    if _CYRILLIC.search(last_a + last_b):  # an inflected Cyrillic form against a Latin one
        short, long = sorted((romanized(last_a), romanized(last_b)), key=len)
        if len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short[:-1]):
            return True
    skeleton_a, skeleton_b = skeleton(last_a), skeleton(last_b)
    return len(skeleton_a) >= 3 and skeleton_a == skeleton_b


def _surname(name: str) -> str:
    parts = name.replace("·", " ").split()
    return parts[-1] if parts else name


def _introduced_since(people: list[Person], previous: Quote | None, quote: Quote) -> Person | None:
    """A person (known first name or role) who opened a sentence after the previous quote and
    before this one, within 400 characters: news introduces a new speaker, then quotes them."""
    after = previous.end if previous is not None else 0
    best, best_at = None, -1
    for person in people:
        if not person.likely_person:
            continue
        at = last_before(person.subject_positions, quote.start)
        at = at if at >= after else -1
        if at > best_at:
            best, best_at = person, at
    if best is None or quote.start - best_at > 400:
        return None
    if previous is not None and previous.speaker == best.name:
        return None
    return best


def _pronoun_antecedent(
    text: str,
    people: list[Person],
    previous: Quote | None,
    quote: Quote,
    position: int,
    pronoun: str,
    roles: frozenset[str],
) -> Person | None:
    """The person a pronoun stands for: the previous quote's speaker when it is a person of the
    pronoun's gender and nobody of that gender was named since; else the nearest preceding such
    person (a known first name of that gender beats an unknown one)."""
    mention = pronoun.casefold()
    wanted = _PRONOUN_GENDER.get(mention)
    if wanted is None and mention in {"they", "it", "them", "они", "вони", "ils", "elles", "ellos", "他们"}:
        group = _plural_subject_before(text, position) if mention in {"they", "them"} else None
        if group is not None:  # `Republican senators are eager …, and they say`
            return Person(group)
        if previous and previous.speaker and quote.paragraph - previous.paragraph <= 2:
            person = next((p for p in people if p.name == previous.speaker), None) or Person(previous.speaker)
            return None if mention == "it" and person.gender else person  # `it` is no Jane or John
        return None

    def agrees(person: Person) -> bool:
        return wanted is None or person.gender is None or wanted in person.gender

    candidates = [p for p in people if p.likely_person and agrees(p)]
    known = [p for p in candidates if p.gender]
    nearest = (
        _nearest_subject_before(known, position)
        or _nearest_before(known, position)
        or _nearest_before(candidates, position)
    )
    # `… for Mississauga accountant Babatunji Farinloye, 50. “…,” he says`: someone whose first name
    # tells no gender, named with a role just before, since the last attribution and after anyone else
    since = previous.end if previous is not None else 0
    unknown = _nearest_before([p for p in candidates if p.gender is None and (p.roles & roles or p.quoted)], position)
    unknown_at = last_before(unknown.positions, position) if unknown is not None else -1
    nearest_at = last_before(nearest.positions, position) if nearest else -1
    if position - unknown_at < 250 and unknown_at > max(since, nearest_at):
        nearest = unknown
    if previous and previous.speaker and quote.paragraph - previous.paragraph <= 2 and is_proper_name(previous.speaker):
        speaker_person = next((p for p in people if p.name == previous.speaker), None)
        if speaker_person is None and _one_name(previous):
            speaker_person = Person(previous.speaker)  # `Na'moks said`: a speaker named by one name only
        elif speaker_person is None and previous.speaker_confidence == _FULL_NAME:
            speaker_person = Person(previous.speaker, quoted=True)  # named in full by the attribution
        elif speaker_person is None or not agrees(speaker_person) or not speaker_person.likely_person:
            return nearest
        previous_at = previous.mention_start if previous.mention_start is not None else previous.start
        if nearest is None or nearest.name == speaker_person.name:
            return speaker_person
        # named since the previous attribution, outside what was quoted: a person named inside a
        # statement (`his father's friend, Martin Legere, gave …`) is its topic, not the next speaker
        named_since = [
            at
            for at in nearest.positions
            if previous_at < at < position
            and not previous.start <= at < previous.end
            and not previous_at < at < previous.start  # `Roman, who operates tours to Anak Krakatau, said`
            and not _possessive_at(text, at)  # `Greenspan’s name … on Child’s phone`: no new speaker
        ]
        if not named_since:
            return speaker_person
        # `… Olazabal sent to Poulter …`: the previous speaker, named again after them, is nearer still
        again = re.compile(rf"(?<![\w'’-]){re.escape(family_name(speaker_person.parts))}(?![\w-])")
        named_again = again.finditer(text, max(named_since) + 1, position)
        return speaker_person if any(not _possessive_at(text, m.start()) for m in named_again) else nearest
    return nearest


_POSSESSIVE_NAME = re.compile(r"(?:[A-ZÀ-ÖØ-Þ][\w-]*[ \t]+){0,3}[A-ZÀ-ÖØ-Þ][\w-]*['’]s?(?![\w'’])")


def _possessive_at(text: str, at: int) -> bool:
    """The name mentioned at ``at`` is a possessive (`Child’s kitchen`): someone talked about."""
    return bool(_POSSESSIVE_NAME.match(text, at))


# a plural noun phrase opening a sentence or a clause, then its verb: `several auto-industry
# executives have warned`, `The Conservatives believe`, `, and Republican senators are eager`
_PLURAL_SUBJECT = re.compile(  # the shortest phrase before a verb, looked ahead: a non-plural hides no later one
    r"(?:(?<=[.;!?]\s)|(?<=\n)|(?<=\band\s)|(?<=\bbut\s))"
    r"(?=((?:[A-Za-z][\w’'-]*\s+){0,3}?[A-Za-z][\w’'-]*)"
    r"\s+(?:also\s+|still\s+)?(?:have|had|are|were|say|said|believe|argue|warn|[a-z]+ed)\b)"
)


def _plural_subject_before(text: str, position: int, window: int = 250) -> str | None:
    """The plural noun phrase that was last the subject of a clause just before a `they`: a group
    the article does not name (`several auto-industry executives have warned … They say …`)."""
    found = None
    for match in _PLURAL_SUBJECT.finditer(text, max(0, position - window), position):
        words = match.group(1).split()
        first = words[0].casefold()
        if first in {"they", "we", "their", "these", "those"} or (first in NOT_A_NAME and first != "the"):
            continue
        if not plural_noun(words[-1].casefold()):
            continue
        found = _clean_mention(match.group(1))
    return found


def _one_name(quote: Quote) -> bool:
    """The quote's speaker is a name of one word, as written (`Na'moks`, `Mulder`): a person the
    article names without a first name, so no gender or role can vouch for it."""
    speaker = quote.speaker or ""
    return (
        quote.speaker_confidence == _AS_WRITTEN
        and not _ARTICLE.match(quote.speaker_mention or "")  # `the Globe` is no one's name
        and " " not in speaker
        and speaker[:1].isupper()
        and not speaker.isupper()
    )


def _nearest_subject_before(people: list[Person], position: int, window: int = 600) -> Person | None:
    """The person who last opened a sentence, if recently: the likeliest antecedent of `he`."""
    best, best_at = None, -1
    for person in people:
        at = last_before(person.subject_positions, position)
        if at > best_at:
            best, best_at = person, at
    return best if best is not None and position - best_at <= window else None


def _nearest_before(people: list[Person], position: int) -> Person | None:
    best, best_at = None, -1
    for person in people:
        at = last_before(person.positions, position)
        if at > best_at:
            best, best_at = person, at
    return best


@cache
def _role_synonyms() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in resources.load("people")["role_synonyms"].items()}


def _role_words(words: Iterable[str]) -> set[str]:
    expanded: set[str] = set()
    for word in words:
        word = word.casefold().strip(".,")
        expanded.add(word[:5])
        expanded |= {w[:5] for w in _role_synonyms().get(word, ())}
    return expanded


def _by_role(people: list[Person], mention: str, position: int) -> Person | None:
    wanted = _role_words(w for w in mention.split()[1:] if w.casefold() not in {"the", "a", "an"}) or _role_words(
        mention.split()
    )
    written = {w.casefold().strip(".,")[:5] for w in mention.split()}
    best, best_key = None, (0, 0, False, 0)
    for person in people:
        if not person.roles:
            continue
        overlap = len(wanted & _role_words(person.roles))
        # the role as written beats a synonym: `the prime minister` is Trudeau, not Premier Ford
        exact = len(written & {r.casefold()[:5] for r in person.roles})
        previous_at = last_before(person.positions, position)
        following = bisect.bisect_left(person.positions, position)
        next_at = person.positions[following] if following < len(person.positions) else None
        distance = min(position - previous_at if previous_at >= 0 else 10**9, next_at - position if next_at else 10**9)
        before = previous_at >= 0
        key = (exact, overlap, before, -distance)
        if overlap and (before or distance < 1500) and key > best_key:
            best, best_key = person, key  # named before, or introduced right after (`the WHL commissioner` …)
    return best


# ---------------------------------------------------------------- corpus-wide identity

_SKELETON_CLASSES = str.maketrans({"v": "f", "w": "f", "r": "l", "b": "p", "d": "t", "g": "k", "q": "k", "c": "k",
                                   "j": "k", "z": "s"})  # fmt: skip


# Джайлз / Giles, Sturridge / Старридж, Maxine / Максін
_SKELETON_DIGRAPHS = (
    ("dzh", "j"),
    ("dg", "j"),
    ("x", "ks"),
    ("sch", "s"),
    ("sh", "s"),
    ("zh", "s"),
    ("ng", "n"),
    ("ph", "f"),
    ("h", ""),
)


@cache
def skeleton(name: str) -> str:
    """Consonants of the romanized name in broad classes: matches renderings across scripts
    (Lavrov, Лавров, 拉夫罗夫 → lflf)."""
    text = re.sub(r"[^a-z]", "", anyascii(name).casefold())
    for digraph, single in _SKELETON_DIGRAPHS:
        text = text.replace(digraph, single)
    classes = re.sub(r"[aeiouy]", "", text).translate(_SKELETON_CLASSES)
    return re.sub(r"(.)\1+", r"\1", classes)  # Calzadilla / Кальзадилья


@dataclass
class _Entry:
    name: str
    language: str | None
    roles: set[str]
    article_id: str


@dataclass(frozen=True)
class Speaker:
    speaker_id: str
    name: str
    aliases: list[str]
    languages: list[str]
    n_quotes: int


def resolve_corpus(entries: list[tuple[str, str | None, str | None, str]]) -> tuple[list[Speaker], dict[str, str]]:
    """Group resolved speaker names (name, language, role words, article_id) into speakers.

    Returns the speakers and a map from each name as written to its ``speaker_id``.
    """
    items = [_Entry(name, language, set((roles or "").split()), article) for name, language, roles, article in entries]
    by_surname: dict[str, list[_Entry]] = defaultdict(list)
    for item in items:
        by_surname[_surname_key(item.name)].append(item)
    for key, target in _same_surname_across_scripts(by_surname).items():
        by_surname[target].extend(by_surname.pop(key))
    groups: list[list[_Entry]] = []
    for key in sorted(by_surname):
        groups.extend(_split_by_first_name(by_surname[key]))
    speakers: list[Speaker] = []
    ids: dict[str, str] = {}
    for group in groups:
        names = Counter(item.name for item in group)
        # a full Latin name, best one that opens with a known first name (not `Senatoren John Kennedy`)
        canonical = max(names, key=lambda n: (
            len(n.split()) > 1, bool(_LATIN.fullmatch(n)), first_name_gender(n.split()[0]) is not None, names[n],
            len(n), n,
        ))  # fmt: skip
        speaker_id = hashlib.sha256(romanized(canonical).encode()).hexdigest()[:12]
        for name in names:
            ids[name] = speaker_id
        speakers.append(
            Speaker(
                speaker_id=speaker_id,
                name=canonical,
                aliases=sorted(names),
                languages=sorted({item.language for item in group if item.language}),
                n_quotes=len(group),
            )
        )
    return sorted(speakers, key=lambda s: (-s.n_quotes, s.name)), ids


def _same_surname_across_scripts(by_surname: dict[str, list[_Entry]]) -> dict[str, str]:
    """Surname keys written in another script (Трамп, Гайлз, 斯图里奇) mapped to the Latin key they
    render (trump, giles, sturridge): the one Latin key of the same consonant skeleton, or, for
    longer names, the one a single consonant away (Sturridge / Старридж, Walton / Уолтон).
    Keys in one script that no Latin key matches are joined to each other the same way (Russian
    Кальзадилья and Ukrainian Кальсадія). A near skeleton needs a first name that matches too;
    people who only share a surname are kept apart afterwards, by their first names."""
    written_in_latin = {
        key for key, entries in by_surname.items() if any(_LATIN.fullmatch(e.name.split()[-1]) for e in entries)
    }
    latin = _SkeletonIndex()
    for key in sorted(written_in_latin):
        if len(skeleton(key)) >= 2:
            latin.add(skeleton(key), key)
    firsts = {key: {g for e in entries for g in _given_names(e.name)} for key, entries in by_surname.items()}

    def same_first_name(key: str, target: str) -> bool:
        return any(_compatible(a, b) for a in firsts[key] for b in firsts[target])

    joined: dict[str, str] = {}
    for key in sorted(by_surname):
        if key in written_in_latin or len(skeleton(key)) < (3 if _HAN_RUN.search(key) else 2):
            continue
        shape = skeleton(key)
        targets, near = latin.exact(shape), latin.near(shape)
        if firsts[key]:  # a first name picks among the candidates, and allows a near skeleton
            targets = [k for k in dict.fromkeys(targets + near) if same_first_name(key, k)] or [
                k for k in targets if not firsts[k]
            ]
        elif not targets and _HAN_RUN.search(key):  # Chinese renderings are loose (特朗普 te-lang-pu, Trump)
            targets = near
        if len(targets) == 1:
            joined[key] = targets[0]
        elif not targets:
            latin.add(shape, key)  # a later key of another script may join this one
    return joined


class _SkeletonIndex:
    """Keys by consonant skeleton, looked up exactly or one letter away. One-letter deletions
    are indexed too, so a near lookup touches a handful of buckets, not every skeleton."""

    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = defaultdict(list)
        self._by_deletion: dict[str, set[str]] = defaultdict(set)

    def add(self, shape: str, key: str) -> None:
        self._keys[shape].append(key)
        for variant in _deletions(shape):
            self._by_deletion[variant].add(shape)

    def exact(self, shape: str) -> list[str]:
        return list(self._keys.get(shape, []))

    def near(self, shape: str, shortest: int = 3) -> list[str]:
        """Keys whose skeleton is one letter substituted, inserted or deleted away (both at least
        ``shortest`` letters long)."""
        if len(shape) < shortest:
            return []
        found = {s for variant in _deletions(shape) for s in self._by_deletion.get(variant, ())}
        return [k for s in sorted(found) if s != shape and len(s) >= shortest for k in self._keys[s]]


def _one_apart(a: str, b: str) -> bool:
    return bool(_deletions(a) & _deletions(b))


def _deletions(shape: str) -> set[str]:
    """The skeleton and every skeleton one letter shorter: two skeletons are one letter apart
    exactly when these sets meet (barring a swap of neighbours, which is close enough)."""
    return {shape} | {shape[:i] + shape[i + 1 :] for i in range(len(shape))}


def _surname_key(name: str) -> str:
    if _HAN_RUN.fullmatch(name.replace("·", "")):
        return name.split("·")[-1]
    return romanized(name.split()[-1]) if name.split() else name


def _split_by_first_name(entries: list[_Entry]) -> list[list[_Entry]]:
    """One surname, several people? Full names with incompatible first names are different
    people; a bare surname joins the only full name, or the one whose roles it shares."""
    full: dict[str, list[_Entry]] = defaultdict(list)
    bare: list[_Entry] = []
    known_first = any(first_name_gender(g) for e in entries for g in _given_names(e.name))
    for entry in sorted(entries, key=lambda e: len(e.name.split())):  # the plainest names set the groups
        given = _given_names(entry.name)
        no_first_name = not any(first_name_gender(g) for g in given) and not _HAN_RUN.search(entry.name)
        if not given or (known_first and no_first_name):
            bare.append(entry)  # no first name, or words that are none beside a real one: `Сказал Трамп`
            continue
        # any given name may match: words before a name are sometimes not its part (`Джакарті Сутопо`)
        target = next((k for first in given for k in full if _compatible(k, first)), None)
        full[target or given[0]].append(entry)
    merged: dict[str, list[_Entry]] = {}
    for first in sorted(full, key=len, reverse=True):
        target = next((k for k in merged if _compatible(k, first)), None)
        if target:
            merged[target].extend(full[first])
        else:
            merged[first] = list(full[first])
    groups = list(merged.values())
    if not groups:
        return [bare] if bare else []
    leftovers: list[_Entry] = []
    if len(groups) == 1:
        return [groups[0] + bare]
    # per group, once: its role words, and its surname as written (`Puig` is Joan Puig, not Хоан Пуч)
    roles_of = [_role_words(r for e in g for r in e.roles) for g in groups]
    surnames_of = [{e.name.split()[-1] for e in g} for g in groups]
    for entry in bare:
        shared = [
            g for g, roles in zip(groups, roles_of, strict=True) if entry.roles and _role_words(entry.roles) & roles
        ]
        spelled = [g for g, surnames in zip(groups, surnames_of, strict=True) if entry.name.split()[-1] in surnames]
        chosen = shared if len(shared) == 1 else spelled
        (chosen[0] if len(chosen) == 1 else leftovers).append(entry)
    return groups + ([leftovers] if leftovers else [])


@cache
def _given_names(name: str) -> tuple[str, ...]:
    """The words before the surname, first one first (纳尔逊·曼德拉: 纳尔逊)."""
    return tuple(part.replace(".", "") for part in name.replace("·", " ").split()[:-1] if part.replace(".", ""))


@cache
def _compatible(a: str, b: str) -> bool:
    """First names of one person: equal once romanized, by consonant skeleton (Chad / Чед,
    Jordan / Джордан), or an initial."""
    a_key, b_key = romanized(a), romanized(b)
    if a_key == b_key or (len(b_key) == 1 and a_key.startswith(b_key)) or (len(a_key) == 1 and b_key.startswith(a_key)):
        return True
    if _HAN_RUN.search(a + b):  # Chinese renderings are loose: 纳尔逊 na-er-xun, Nelson
        return min(len(skeleton(a)), len(skeleton(b))) >= 3 and _one_apart(skeleton(a), skeleton(b))
    return len(skeleton(a)) >= 2 and skeleton(a) == skeleton(b)


def title_unsupported_names(title: str | None, text: str, language: str | None) -> list[str]:
    """Names the title makes a speaker (`Raevsky said …`) or names in full that no body sentence
    mentions, not even in another spelling: a garbled or wrong name is worth a flag."""
    if not title:
        return []
    resources_ = language_resources(language)
    candidates = [p.name for p in people_in(title, language)]
    for match in resources_.cue_pattern.finditer(title):
        tokens = re.findall(r"[^\W\d_][\w'’-]*", title[: match.start()])
        if tokens and tokens[-1][:1].isupper() and tokens[-1].casefold() not in resources_.pronouns:
            candidates.append(tokens[-1])
    if not candidates:
        return []
    body = {romanized(word) for word in re.findall(r"[^\W\d_][\w'’-]*", text)}
    body_text = text.casefold()
    unsupported = []
    for name in dict.fromkeys(candidates):
        surname = name.split()[-1]
        if surname.casefold() not in body_text and romanized(surname) not in body:
            unsupported.append(name)
    return unsupported
