"""Where the reported clause of an indirect quote starts and ends around its cue (`said (that) …`,
`told reporters …`; `While critics say A, Jagelewski says B`), and what after a cue frames it
instead of reporting (`in an interview`, `on Monday`)."""

from __future__ import annotations

import re

from quotetrace.corpus.attribution.mentions import mention_before
from quotetrace.corpus.attribution.tokens import WORD, words
from quotetrace.corpus.lexicon import NAME_PARTICLES, TIME_WORDS, Language


def closes_sentence(rest: str, language: Language) -> bool:
    """After `…, said X`: the end, an appositive (`, a researcher at …`), a frame, or the particle
    of a split verb (`…, teilt das Pentagon mit.`)."""
    rest = re.sub(r"^\s*\([^()]{1,40}\)", "", rest).strip()  # `Elisabeth Köstinger (ÖVP) am Mittwoch`
    last = words(rest)[-1:]
    if last and last[0] in language.split_particles and rest.rstrip(".!?").endswith(last[0]):
        rest = rest.rstrip(".!?")[: -len(last[0])].strip()
    if re.fullmatch(r"[^\W\d_A-Z][\w'’-]*\s*[.!?]?", rest) and rest[:1].islower():
        return True  # `…, déclare un membre du Parlement européen.`: an adjective after the name
    return not rest.strip(".!?。") or rest.startswith(",") or frame_only(" " + _of_phrase(rest, language), language)


def _of_phrase(rest: str, language: Language) -> str:
    """``rest`` past the `des Affaires étrangères` of `un porte-parole du ministère des Affaires
    étrangères à Berlin`: a name's complement the mention left out, up to a frame word."""
    tokens = list(WORD.finditer(rest))
    if not tokens or tokens[0].group(0).casefold() not in NAME_PARTICLES or rest[: tokens[0].start()].strip():
        return rest
    for token in tokens[1:7]:
        if token.group(0).casefold() in language.frame_words:
            return rest[token.start() :] if not language.cue_pattern.search(rest, 0, token.start()) else rest
    return rest


def next_attribution(sentence: str, start: int, language: Language) -> int:
    """Where a second speaker takes over within the sentence (`While critics say A, Jagelewski
    says B`): the comma before a later cue that has a speaker of its own; else the end."""
    for match in language.cue_pattern.finditer(sentence, start):
        head = sentence[: match.start()]
        comma = head.rfind(",")
        if comma <= start or len(words(head[comma:])) > 4:
            continue
        if mention_before(sentence, match.start(), language) is not None:
            return comma
    return len(sentence)


def frame_only(after: str, language: Language) -> bool:
    """What may follow `…, X said` without being content: `in an interview`, `on Monday`,
    `gestern bei einer Pressekonferenz` (the language's ``frame_words``)."""
    return bool(language.frame_after and language.frame_after.match(after))


def introduces_block(after: str) -> bool:
    """What follows the cue announces speech to come: nothing, a colon, or a manner phrase."""
    rest = after.strip()
    return (
        not rest
        or rest.startswith((":", "："))
        or rest.rstrip(".").endswith(":")
        or bool(re.match(r"(?:with|by|as follows|the following|in (?:the )?(?:negative|affirmative))\b", rest))
    )


def content_after_cue(sentence: str, match: re.Match[str], language: Language) -> int | None:
    """Where the reported clause starts after a cue: after a complementizer (`that`, `что`,
    `dass`) within a few words, else right after the cue (and its addressee, `told reporters`)."""
    after = sentence[match.end() :]
    if language.cjk:
        comma = after.find("，", 0, 12)
        if match.group(0) in language.object_verbs and comma > 0:
            after_addressee = comma + 1  # `告诉法新社，…`: the addressee, then what was said
            return match.end() + after_addressee if after[after_addressee:].strip() else None
        stripped = after.lstrip("，,：: ")
        return match.end() + (len(after) - len(stripped)) if stripped else None
    if after.lstrip()[:1] in {".", "!", "?"} or not after.strip():
        return None
    tokens = list(WORD.finditer(after))
    complementizers = {c.casefold() for c in language.complementizers}
    addressee = match.group(0).casefold() in language.object_verbs  # `told the Associated Press that`
    comma = after.find(",")
    if comma > 0 and _time_then_clause(after, comma, language):
        return match.end() + comma + 1  # `sagte am Donnerstag, die USA seien sicher, dass …`
    for index, token in enumerate(tokens[:14]):
        if token.group(0).casefold() in complementizers:
            if '"' in after[: token.start()] or "“" in after[: token.start()]:
                break
            lead = tokens[0].group(0).casefold() if index else ""
            if (
                index
                and not addressee
                and lead not in _FRAME_WORDS
                and lead not in language.frame_words
                and lead not in _BEFORE_COMPLEMENTIZER
                and not language.cue_pattern.fullmatch(tokens[0].group(0))  # `said, adding that`
            ):
                break  # `said the UN agreement deals with institutions that support …`: a relative `that`
            return match.end() + token.end()
    if match.group(0) in language.need_complementizer:
        # `announced their plans`, `added a goal`: without `that`, an object, not reported speech;
        # but a subject pronoun starts a clause: `admitted he was wrong`, `added they would stay`
        if (
            tokens
            and tokens[0].group(0) in _CLAUSE_SUBJECTS.get(language.code, ())
            and not after[: tokens[0].start()].strip()
        ):
            return match.end() + tokens[0].start()
        return None
    start = 0
    if match.group(0).casefold() in language.object_verbs and tokens:
        comma = after.find(",")
        start = comma + 1 if 0 <= comma <= 40 else tokens[min(1, len(tokens) - 1)].end()
        if tokens[0].group(0).casefold() in {"reporters", "journalists", "the", "him", "her", "them", "me", "us"}:
            start = tokens[0].end() if tokens[0].group(0).casefold() != "the" else tokens[min(2, len(tokens) - 1)].end()
    lead = after[start:]
    first = re.match(r"\s*[,:]?\s*", lead)
    begin = start + (first.end() if first else 0)
    if begin >= len(after):
        return None
    lead_token = WORD.match(after, begin)
    day = lead_token.group(0).casefold() if lead_token else ""
    if day in TIME_WORDS and day.endswith(("day", "night")) and not after[lead_token.end() :].startswith(","):
        begin = lead_token.end() + 1  # `said Thursday it formed …`: the day is no part of the clause
    next_words = [w.casefold() for w in words(after[begin:])[:2]]
    if next_words and next_words[0] in _FRAME_WORDS:
        # `said in his New Year's speech he was ready …`: the clause starts at the subject pronoun
        # after the frame; `said in an interview.` / `said on Monday.`: a frame, no content
        for token in list(WORD.finditer(after, begin))[1:9]:
            if "," in after[begin : token.start()] or "." in after[begin : token.start()].replace("'s", ""):
                break
            if token.group(0) in _SUBJECT_PRONOUNS.get(language.code, ()):
                return match.end() + token.start()
        return None
    if len(next_words) == 2 and next_words[0] in {"this", "it", "so", "that"} and next_words[1] in _FRAME_WORDS:
        return None  # `He noted this in an interview`: refers back to speech reported before
    return match.end() + begin


def _time_then_clause(after: str, comma: int, language: Language) -> bool:
    """`said on Thursday, the US was confident that …`, `sagte am Montag, die Lage sei ernst`: a
    time set off by a comma after the cue, then the reported clause itself."""
    frame = [w.casefold() for w in words(after[:comma])]
    known = _FRAME_WORDS | _BEFORE_COMPLEMENTIZER | language.frame_words
    clause = words(after[comma : comma + 80])
    return (
        0 < len(frame) <= 3
        and all(w in known for w in frame)
        and len(clause) >= 2
        and clause[0].casefold() not in language.clause_openers | _BEFORE_COMPLEMENTIZER | language.complementizers
        and not language.cue_pattern.search(" ".join(clause[:6]))
    )


_FRAME_WORDS = {"in", "on", "at", "during", "with", "to", "by", "after", "before", "for", "about", "of"}
_SUBJECT_PRONOUNS = {"en": {"he", "she", "they", "we", "I", "it", "there"}}
_CLAUSE_SUBJECTS = {code: pronouns - {"it"} for code, pronouns in _SUBJECT_PRONOUNS.items()}  # `denied it`
# What may stand between a cue and its `that` besides a frame (`said on Monday that`): `said last
# week that`, `said Tuesday that`, `said repeatedly that`.
_BEFORE_COMPLEMENTIZER = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday", "today", "tonight",
    "last", "this", "earlier", "later", "previously", "again", "repeatedly", "publicly", "privately", "separately",
    "also", "recently", "late", "early", "afterwards", "then", "now", "once", "twice", "several", "many",
    "reporters", "journalists", "as", "through", "via", "under", "over", "while", "when", "after", "following",
}  # fmt: skip
