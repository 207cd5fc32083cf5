"""Names across spellings: a romanized key for any script, name parts that are one name in another
case (Хаммела, Хаммел), the scripts a name is written in, and the gender a first name carries
(``corpus/data/first_names.json``)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from anyascii import anyascii

from quotetrace.corpus import resources
from quotetrace.corpus.lexicon import language_resources

_ROMANIZATION_FOLDS = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"yy\b", "y"), (r"iy\b", "y"), (r"ii\b", "y"), (r"ey\b", "ei"), (r"w", "v"), (r"kh", "h"),
        (r"(.)\1", r"\1"), (r"y", "i"), (r"j", "i"),
    )
]  # fmt: skip
_NOT_LETTER = re.compile(r"[^a-z ]")
# a name in Han script, the middle dot of a transliterated one included (纳尔逊·曼德拉)
HAN_RUN = re.compile(r"[\u3400-\u9fff·•]{2,}")

CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@cache
def romanized(name: str) -> str:
    """Lower-case Latin spelling, with the usual transliteration variants folded together
    (Sergey/Sergei, Zelenskyy/Zelensky, Lawrow/Lavrov)."""
    text = _NOT_LETTER.sub("", anyascii(name).casefold())
    for pattern, replacement in _ROMANIZATION_FOLDS:
        text = pattern.sub(replacement, text)
    return text.strip()


@cache
def _first_names() -> tuple[dict[str, str], dict[str, str]]:
    table = resources.load("first_names")
    return table["names"], table["spellings"]


def first_name_gender(name: str) -> str | None:
    """m, f or fm; a spelling one gender bears settles a shared key (Michelle: f, Michel: m)."""
    names, spellings = _first_names()
    return spellings.get(name.casefold()) or names.get(romanized(name))


@cache
def names_an_organisation(name: str, language: str | None) -> bool:
    """Ends in an organisation noun of its language or of English (`Los Angeles Fire Department`,
    `伊朗外交部网站`): a Han name has no spaces, so its ending is what tells."""
    words = [w.strip(".,()") for w in name.split()]
    if not words:
        return False
    nouns = language_resources(language).organisation_nouns | language_resources("en").organisation_nouns
    if HAN_RUN.search(name):
        return name.endswith(tuple(language_resources("zh").organisation_nouns))
    return words[-1].casefold() in nouns


@cache
def names_a_person(name: str | None, language: str | None) -> bool:
    """A name opening with a known first name (after a title) and not naming an organisation; a Han
    name that does not end in an organisation noun counts as one (its first name cannot be told)."""
    if not name or names_an_organisation(name, language):
        return False
    if HAN_RUN.search(name):
        return True
    words = name.split()
    return len(words) >= 2 and any(first_name_gender(w.strip(".,()")) for w in words[:2])


_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}")


_WORD = re.compile(r"\w+")


def name_in_text(name: str, text: str, words: frozenset[str] | None = None) -> bool:
    """Whether ``text`` names ``name``: a Han name as written, else one of its capitalized words
    of three letters or more (`Garg` for `Atul Garg`, `Fire` for `Delhi Fire Services`).
    ``words``: the text's ``text_words``, when one text is asked about many names (a set lookup
    instead of a search through the text for each)."""
    if HAN_RUN.search(name):
        return any(run in text for run in HAN_RUN.findall(name))
    for word in _capitalized_words(name):
        if words is not None and _WORD.fullmatch(word):
            if word in words:
                return True
        elif re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            return True
    return False


def text_words(text: str) -> frozenset[str]:
    """The runs of word characters in ``text``: a name word made only of them is named there
    exactly when it is one of these (the same test as a search bounded by non-word characters)."""
    return frozenset(_WORD.findall(text))


@lru_cache(maxsize=1 << 14)
def _capitalized_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in _NAME_WORD.findall(name) if w[0].isupper())


def same_part(a: str, b: str) -> bool:
    """Name parts equal, or (Cyrillic) the same name in another case: Хаммела ~ Хаммел."""
    if a == b:
        return True
    if not (CYRILLIC.match(a) and CYRILLIC.match(b)):
        return False
    short, long = sorted((a.casefold(), b.casefold()), key=len)
    return len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short[:-1])


@cache
def han_transliteration() -> frozenset[str]:
    """Han characters that transliterate foreign names (拉夫罗夫, 克洛布查尔)."""
    return frozenset(resources.load("people")["han_transliteration"])


# `德贝里(Frank DeBerry)`, `（Frank DeBerry）`, `德贝里(Frank DeBerry` (a cut): the name as the original spells it
_LATIN_IN_PARENTHESES = re.compile(r"[(（]\s*((?:[A-Z][\w'’.-]*\s*){1,4})(?:[)）]|$)")


def han_mention_name(mention: str) -> str | None:
    """The person a Han-script mention names, as one spelling whatever role or fragment of the
    sentence the mention carries: the Latin name a translation keeps in parentheses
    (`皮尔斯县警官达伦·莫斯(Darren Moss)` → Darren Moss), else the transliterated name around its
    middle dot (`兼首席执行官弗兰克·德贝里` → 弗兰克·德贝里). None when it has neither."""
    latin = _LATIN_IN_PARENTHESES.search(mention)
    if latin is not None and len(latin.group(1).split()) >= 2:
        return latin.group(1).strip()
    dot = max(mention.find("·"), mention.find("•"))
    if dot <= 0:
        return None
    letters = han_transliteration()
    start = dot
    while start > 0 and mention[start - 1] in letters and dot - start < 4:
        start -= 1
    end = dot + 1
    while end < len(mention) and (mention[end] in letters or mention[end] in "·•") and end - dot <= 6:
        end += 1
    return mention[start:end] if start < dot and end > dot + 1 else None
