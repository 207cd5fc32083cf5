"""Words as the attribution rules read them, and the runs of them that make a name: capitalized
words, short acronyms and initialisms (`U.S.`), across the dot of an abbreviation (`Dr. Jay Berzofsky`)."""

from __future__ import annotations

import re

from quotetrace.corpus.lexicon import NAME_PARTICLES, NOT_A_NAME, Language, language_resources

# a dot inside a word joins `U.S.`, `J.P.`, `3.5`; not two words a scrape ran together (`sagt Sachs.Sin erster`)
WORD = re.compile(r"[^\W_](?:[\w'’-]|\.(?=\w)(?!(?<=[a-zäöüß]{2}\.)[A-ZÄÖÜ][a-zäöüß]))*", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def abbreviated(word: str, language: Language | None) -> bool:
    """`Rep`, `Sen`, `Dr`, `Gov`, `J` before a dot: an abbreviation or an initial, not a sentence end."""
    if INITIALISM.fullmatch(word):
        return True  # `the U.S. State Department`
    key = word.casefold()
    roles = language.roles if language is not None else language_resources("en").roles
    return len(word) == 1 or f"{key}." in roles or key in roles or key in _TITLE_ABBREVIATIONS


_TITLE_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "sgt",
        "cst",
        "capt",
        "st",
        "rev",
        "jr",
        "sr",
    ]
)


INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]\.?")  # `U.S`, `U.N`, `E.U.` (the tokenizer keeps inner dots)


def is_name_token(token: str) -> bool:
    return (
        (token[:1].isupper() and not token.isupper())
        or (len(token) <= 4 and token.isupper() and token.isalpha())
        or bool(INITIALISM.fullmatch(token))
    )


def name_run_before(tokens: list[re.Match[str]], openers: frozenset[str] = frozenset()) -> tuple[str, int] | None:
    run: list[re.Match[str]] = []
    for token in reversed(tokens):
        word = token.group(0)
        if is_name_token(word) or (run and word.casefold() in NAME_PARTICLES and run[-1].group(0)[:1].isupper()):
            gap = token.string[token.end() : run[-1].start()].strip() if run else ""
            if gap and not (gap == "." and abbreviated(word, None)):
                break  # punctuation between words ends the run (not the dot of `Dr. Jay Berzofsky`)
            run.append(token)
            continue
        break
    while run and (run[-1].group(0).casefold() in NAME_PARTICLES | NOT_A_NAME | openers):
        run.pop()  # `But Gokool`, `However Chapman`: the run starts after the opener
    if not run:
        return None
    run.reverse()
    start, end = run[0].start(), run[-1].end()
    return tokens[0].string[start:end], start
