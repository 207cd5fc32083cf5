"""Names across spellings: a romanized key for any script, name parts that are one name in another
case (Хаммела, Хаммел), the scripts a name is written in, and the gender a first name carries
(``corpus/data/first_names.json``)."""

from __future__ import annotations

import re
from functools import cache

from anyascii import anyascii

from quotetrace.corpus import resources

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


def same_part(a: str, b: str) -> bool:
    """Name parts equal, or (Cyrillic) the same name in another case: Хаммела ~ Хаммел."""
    if a == b:
        return True
    if not (CYRILLIC.match(a) and CYRILLIC.match(b)):
        return False
    short, long = sorted((a.casefold(), b.casefold()), key=len)
    return len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short[:-1])
