"""The people an article names: full names with the role words written around them (`Foreign
Minister of Russia Sergei Lavrov` → Sergei Lavrov, roles {foreign, minister, russia}), where each
is mentioned (by surname alone too) and opens a sentence, and the gender their first name or a
pronoun taking it up tells. In-article resolution picks speakers among them."""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache

from quotetrace.corpus import resources
from quotetrace.corpus.attribution.names import HAN_RUN, first_name_gender
from quotetrace.corpus.attribution.records import Person
from quotetrace.corpus.lexicon import NAME_PARTICLES, NOT_A_NAME, han_name, language_resources

NAME_TOKEN = r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ]\.|[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][\w'’-]*)"
_CAPITALIZED_RUN = re.compile(
    # a possessive ends a name: `Ellison’s Sensei project`, `the Star's Karon Liu`
    rf"(?<![\w'’-]){NAME_TOKEN}"
    rf"(?:(?<!['’]s)[ \t]+(?:(?:of|de|van|von|der|la|le|al|bin|da|di|del)[ \t]+)?{NAME_TOKEN})*"
)
# first words of places, never of a person's name: `New York choreographer Jeanine Durning`
_PLACE_OPENERS = {
    "New", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Upper", "Lower",
}  # fmt: skip
_CREDIT = re.compile(r"[ \t]*/")


NOT_PEOPLE = {
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


def last_before(positions: list[int], position: int) -> int:
    """The last of the sorted ``positions`` before ``position``; -1 when none is."""
    index = bisect.bisect_left(positions, position)
    return positions[index - 1] if index else -1


PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f", "он": "m", "она": "f", "він": "m", "вона": "f",
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
        while tokens and (
            tokens[0].casefold() in resources_.openers
            or (resources_.pro_drop and resources_.cue_pattern.fullmatch(tokens[0].lower()))
        ):  # `Wie Chad Hammel sagte`: `Wie` opens the sentence; `Сказал Трамп`: a cue (not English `Said Jalili`)
            tokens = tokens[1:]
        credit = resources_.caption_label and _after_caption_label(text, match.start(), resources_.caption_label)
        if credit and len(tokens) >= 3:
            tokens = tokens[1:]  # `Foto: Reuters Diosdado Cabello, presidente …`: the credit, then the caption
        elif credit:
            continue  # `Photo: Jane Smith`: the photographer
        name_tokens, role_tokens = split_roles(tokens, roles)
        if len(name_tokens) < 2 or len(name_tokens) > 4 or not person_tokens(name_tokens):
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
        if opens_sentence(text, match.start()) and not _COORDINATED.match(text, match.end()):
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
    gendered = sorted(p for p in pronouns if p in PRONOUN_GENDER)
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
                person.pronoun_gender = PRONOUN_GENDER[pronoun.group(1).casefold()]
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
            if opens_sentence(text, position) and not _COORDINATED.match(
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


def opens_sentence(text: str, start: int) -> bool:
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
            or _compound_role(token)
            or _is_role_adjective(token, tokens, i, roles)
        ):
            cut = i + 1
    if cut and cut < len(tokens) - 2 and tokens[cut].casefold() in NAME_PARTICLES:
        if tokens[cut].casefold() in {"der", "des"} and not any(first_name_gender(t) for t in tokens[cut + 1 :]):
            return [], {t.casefold().rstrip(".") for t in tokens[:cut]}  # `Mitglied der Welsh Conservative Party`
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


@cache
def _role_suffixes() -> tuple[str, ...]:
    """Role nouns that end compounds, of every language that writes them as one word."""
    return tuple(sorted({w for words in resources.load("people")["role_suffixes"].values() for w in words}))


def _compound_role(token: str) -> bool:
    """`Zivildienstministerin`, `Ministerpräsident`, `Polizeisprecher`: a compound ending in a role."""
    word = token.casefold()
    suffixes = _role_suffixes()
    if not word.endswith(suffixes):  # one call for the many words that are no role
        return False
    return any(word.endswith(suffix) and (word == suffix or len(word) > len(suffix) + 2) for suffix in suffixes)


def _hyphenated_role(token: str, roles: frozenset[str]) -> bool:
    """`Vice-President`; not `Jong-un` (`un`, as in UN, is too short to tell)."""
    suffix = token.casefold().rpartition("-")[2]
    return "-" in token and len(suffix) > 2 and suffix in roles


_MONTH_SURNAMES = {"may", "june", "april", "august"}  # Theresa May, Brian May


def person_tokens(tokens: list[str]) -> bool:
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


def _after_caption_label(text: str, start: int, label: re.Pattern[str]) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    opening = text[max(line_start, start - 20) : start]
    return any(found.end() == len(opening) for found in label.finditer(opening))


def _in_credit(text: str, start: int, end: int) -> bool:
    """`(Lauren Pelley / CBC News)`, `(Luis Tato/AFP/Getty Images)`: a photo credit names no one in
    the story."""
    return bool(_CREDIT.match(text, end)) or text[max(0, start - 1)] == "/"


def _person_token(token: str) -> bool:
    """A token a person's name can have: not an organisation or place word, no inner capitals
    (`SkyTrain`), no hyphenated acronyms (`WGC-Mexico`); a double-barrelled name's parts each
    (`Wilson-Raybould`)."""
    if token.casefold() in NOT_PEOPLE:
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
    return {role for role in roles if HAN_RUN.fullmatch(role) and role in run}


@cache
def _role_synonyms() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in resources.load("people")["role_synonyms"].items()}


def role_keys(words: Iterable[str]) -> set[str]:
    """Role words as compared: the first five letters of each and of its synonyms (``people.json``:
    `leader` → presi, prime, premi, …), so that `the Russian leader` finds President Putin."""
    expanded: set[str] = set()
    for word in words:
        word = word.casefold().strip(".,")
        expanded.add(word[:5])
        expanded |= {w[:5] for w in _role_synonyms().get(word, ())}
    return expanded
