"""Names across spellings: a romanized key for any script, and the gender a first name carries
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
