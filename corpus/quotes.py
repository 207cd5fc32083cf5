"""Quote stage: direct, indirect and mixed quotes with the speaker as written in the article.

Rules over sentences, driven by curated per-language resources in ``corpus/data/`` (cue verbs,
quotation marks, pronouns, role words), so that a language is added as data:

- direct: text between quotation marks (every style news uses), attributed by a cue in the
  same sentence (`"…," he said`, `Lavrov said: "…"`); a quote split around its attribution is
  joined; a quote with no cue that opens its paragraph continues the previous speaker;
- indirect: `X said (that) …`, `… , X said.`, `According to X, …`, `X told reporters …`;
- mixed: an indirect frame whose content holds a quoted fragment;
- block: a paragraph without quotation marks that follows `X answered with a clear refusal.`
  or `X said:` is X's direct speech.

Speakers are resolved to full names within the article by ``corpus.speakers``.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa

from quotetrace import schemas
from quotetrace.corpus import resources
from quotetrace.corpus.lexicon import (
    ARTICLES,
    DETERMINERS,
    GROUP_NOUNS,
    HAN,
    NAME_PARTICLES,
    NAME_RUN,
    NOT_A_NAME,
    STOP_AFTER_SPEAKER,
    TIME_WORDS,
    Language,
    han_name,
    language_resources,
    plural_noun,
)
from quotetrace.corpus.names import first_name_gender
from quotetrace.corpus.records import Quote
from quotetrace.corpus.sentences import split_sentences
from quotetrace.corpus.speakers import resolve_in_article

_WORD = re.compile(r"[^\W_](?:[\w'’-]|\.(?=\w))*", re.UNICODE)


@dataclass(frozen=True)
class QuoteOptions:
    # A quoted span shorter than this many words (CJK: 2× as many characters) is a fragment:
    # a term or scare quote, not a quote, unless an indirect frame makes it a mixed quote.
    min_direct_words: int = 4
    # An indirect quote's content must hold at least this many words.
    min_indirect_words: int = 3
    # How many paragraphs back a continuation quote may find its speaker.
    continuation_paragraphs: int = 2


@cache
def _quote_pairs() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    data = resources.load("quote_marks")
    return {opener: tuple(closers) for opener, closers in data["pairs"].items()}, frozenset(data["word_bound"])


def quoted_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in ``paragraph``, marks included. An opening mark without
    its closer runs to the end of the paragraph (news opens each paragraph of a long quote and
    closes only the last)."""
    pairs, word_bound = _quote_pairs()
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(paragraph):
        char = paragraph[i]
        if char in pairs and _opens(paragraph, i, char, word_bound):
            close = _find_closer(paragraph, i, char, pairs[char], word_bound)
            if close is None:
                if char in {"»", "”"} or (char == '"' and paragraph.count('"') % 2 == 0):
                    i += 1
                    continue
                spans.append((i, len(paragraph)))
                break
            spans.append((i, close + 1))
            i = close + 1
            continue
        i += 1
    return spans


def _opens(text: str, i: int, mark: str, word_bound: frozenset[str]) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace() and mark not in {"«", "„"}:
        return False
    if mark in word_bound or mark in {'"', "”", "»"}:
        return not before.isalnum()
    return True


def _find_closer(text: str, i: int, opener: str, closers: tuple[str, ...], word_bound: frozenset[str]) -> int | None:
    depth = 0
    for j in range(i + 1, len(text)):
        char = text[j]
        if char == opener and opener not in closers and opener not in {'"', "”"}:
            depth += 1
            continue
        if char in closers:
            if opener in word_bound and j + 1 < len(text) and text[j + 1].isalnum():
                continue  # ’ inside a word is an apostrophe
            if depth:
                depth -= 1
                continue
            return j
    return None


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_fragment(text: str, language: Language, options: QuoteOptions) -> bool:
    inner = text.strip("\"'“”‘’«»„‚「」『』‹› ")
    if language.cjk or HAN.search(inner[:5]):
        return len(inner) < 2 * options.min_direct_words
    return len(words(inner)) < options.min_direct_words


def extract_quotes(text: str, language_code: str | None, options: QuoteOptions = QuoteOptions()) -> list[Quote]:
    """Quotes of one article ``text`` (offsets into it), speakers as written (unresolved)."""
    language = language_resources(language_code)
    quotes: list[Quote] = []
    offset = 0
    for index, paragraph in enumerate(text.split("\n\n")):
        quotes.extend(_paragraph_quotes(paragraph, offset, index, language, options, quotes))
        offset += len(paragraph) + 2
    return quotes


def _paragraph_quotes(
    paragraph: str, offset: int, index: int, language: Language, options: QuoteOptions, earlier: list[Quote]
) -> list[Quote]:
    spans = quoted_spans(paragraph)
    previous = earlier[-1] if earlier else None
    if not spans and previous and previous.paragraph == index - 1 and previous.kind == "block_intro":
        # An unmarked block of speech after `X answered with a clear refusal.` or `X said:`.
        block = Quote(offset, offset + len(paragraph), paragraph, "direct", previous.cue, previous.speaker_mention,
                      previous.mention_start, index)  # fmt: skip
        return [block]
    sentences = split_sentences(paragraph, language.code)
    found: list[Quote] = []
    groups = []
    for group in _group_split_quotes(paragraph, spans, language):
        text = " ".join(paragraph[a:b] for a, b in group)
        if not _is_fragment(text, language, options) or _short_continuation(paragraph, group, groups, language):
            groups.append(group)

    # Direct quotes, with their attribution from the sentence(s) around them.
    for group in groups:
        first, last = group[0], group[-1]
        before_start = _sentence_start(sentences, first[0])
        after_end = _sentence_end(sentences, last[1] - 1)
        frame_after = paragraph[last[1] : after_end]
        frame_before = paragraph[before_start : first[0]]
        attribution = None
        if len(group) > 1:  # `"We will not," he said, "accept it."`: the attribution sits between
            gap_start = group[0][1]
            attribution = _attribution_in(paragraph[gap_start : group[1][0]], gap_start, language)
        attribution = (
            attribution
            or _attribution_in(frame_after, last[1], language, anchored=True)
            or _attribution_before(frame_before, before_start, language)
        )
        if attribution is None and _reporting_frame(frame_before, language):
            continue  # `Starmer said that … and "build …"`: a quoted fragment of a mixed quote
        opens_sentence = not frame_before.strip()
        if attribution is None and not (opens_sentence and (first[0] == 0 or _same_paragraph(earlier, found, index))):
            continue  # a quotation nobody is said to have said: a title, a term, a sign
        content = " ".join(_strip_marks(paragraph[a:b]) for a, b in group)
        found.append(
            Quote(
                start=offset + first[0],
                end=offset + last[1],
                text=content,
                kind="direct",
                cue=attribution[0] if attribution else None,
                speaker_mention=attribution[1] if attribution else None,
                mention_start=offset + attribution[2] if attribution else None,
                paragraph=index,
                spans=[(offset + a, offset + b) for a, b in group],
            )
        )
    covered = sorted((q.start - offset, q.end - offset) for q in found)
    covered_ends = [b for _, b in covered]

    # Indirect and mixed quotes in sentences no direct quote covers.
    for start, end in sentences:
        first = bisect.bisect_right(covered_ends, start)  # the first direct quote ending after the sentence starts
        if first < len(covered) and covered[first][0] < end:
            continue
        for quote in _indirect_all(paragraph, start, end, spans, language, options):
            quote.start += offset
            quote.end += offset
            quote.spans = [(a + offset, b + offset) for a, b in quote.spans]
            quote.mention_start = offset + quote.mention_start if quote.mention_start is not None else None
            quote.paragraph = index
            found.append(quote)
    found.sort(key=lambda q: q.start)
    return found


def _short_continuation(
    paragraph: str, group: list[tuple[int, int]], kept: list[list[tuple[int, int]]], language: Language
) -> bool:
    """`"He carried most of the weight," she said. "I was super-green."`: a short quotation that
    opens the sentence right after an attributed one continues it."""
    if not kept or len(words(paragraph[group[0][0] : group[-1][1]])) < 2:
        return False
    gap = paragraph[kept[-1][-1][1] : group[0][0]]
    return len(words(gap)) <= 6 and bool(language.cue_pattern.search(gap)) and gap.rstrip().endswith((".", "!", "?"))


def _reporting_frame(frame_before: str, language: Language) -> bool:
    """The text before a quotation, in its sentence, already reports speech (`X said that`,
    `According to him,`)."""
    return bool(language.cue_pattern.search(frame_before) or language.according_to.search(frame_before))


def _same_paragraph(earlier: list[Quote], found: list[Quote], index: int) -> bool:
    return bool(found) or bool(earlier and earlier[-1].paragraph == index)


def _group_split_quotes(
    paragraph: str, spans: list[tuple[int, int]], language: Language
) -> list[list[tuple[int, int]]]:
    """Join `"We will not," he said, "accept it."`: consecutive quotations separated only by a
    short attribution (a cue and a speaker, nothing else) after a comma inside the first."""
    groups: list[list[tuple[int, int]]] = []
    for span in spans:
        if groups:
            end = groups[-1][-1][1]
            gap = paragraph[end : span[0]]
            gap_words = words(gap)
            ends_sentence = gap.strip()[:1] in {".", "!", "?", "。"} or re.search(r"[.!?。]\s*$", gap.rstrip(" ,:;—–-"))
            comma_inside = paragraph[end - 2 : end].strip('"”»’ ')[-1:] in {",", "，"}
            short_attribution = bool(gap_words) and len(gap_words) <= 8 and language.cue_pattern.search(gap)
            if short_attribution and comma_inside and not ends_sentence:
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


def _sentence_start(sentences: list[tuple[int, int]], position: int) -> int:
    """Start of the sentence holding ``position`` (sentences are sorted: a binary search)."""
    index = bisect.bisect_right(sentences, (position, float("inf"))) - 1
    return sentences[index][0] if index >= 0 and sentences[index][0] <= position < sentences[index][1] else 0


def _sentence_end(sentences: list[tuple[int, int]], position: int) -> int:
    index = bisect.bisect_right(sentences, (position, float("inf"))) - 1
    if index >= 0 and sentences[index][0] <= position < sentences[index][1]:
        return sentences[index][1]
    return sentences[-1][1] if sentences else position + 1


def _strip_marks(text: str) -> str:
    return text.strip().strip("\"'“”‘’«»„‚「」『』‹›").strip()


def _attribution_in(
    frame: str,
    frame_offset: int,
    language: Language,
    anchored: bool = False,
) -> tuple[str, str, int] | None:
    """(cue, speaker mention, mention offset) from the text right after a quotation:
    `, he said`, `, said Lavrov`, ` Lavrov said in an interview`, `, so Lawrow`."""
    if not frame.strip():
        return None
    match = language.cue_pattern.search(frame)
    if match is None:
        according = language.according_to.search(frame)
        if according and (not anchored or len(words(frame[: according.start()])) <= 2):
            mention = _mention_after(frame, according.end(), language)
            if mention:
                return according.group(0), mention[0], frame_offset + mention[1]
        return None
    if anchored and len(words(frame[: match.start()])) > 6:
        return _long_attribution(frame, frame_offset, match)
    cue = match.group(0)
    mention = _mention_before(frame, match.start(), language)
    if mention is None:
        mention = _mention_after(frame, match.end(), language)
    if mention is None:
        return None
    return cue, mention[0], frame_offset + mention[1]


_NAME_THEN_APPOSITIVE = re.compile(r"[\s,]*((?:[A-Z][\w'’-]*\.?\s+){1,3}[A-Z][\w'’-]+),\s[^\"“”«»]+,\s*$")


def _long_attribution(frame: str, frame_offset: int, cue: re.Match[str]) -> tuple[str, str, int] | None:
    """A long frame after a quotation that still names its speaker: `"…," Harry J. Kazianis, director
    of defence studies at the U.S.-based Centre for the National Interest, said` (a name, a long
    appositive between commas, the cue) or `"…," Rally Canada volunteer media coordinator Tom
    Hinderks said` (one phrase ending in a full name before the cue)."""
    head = frame[: cue.start()]
    found = _NAME_THEN_APPOSITIVE.match(head)
    if found is not None and all(_is_name_token(t.rstrip(".")) for t in found.group(1).split()):
        return cue.group(0), found.group(1), frame_offset + found.start(1)
    if not re.search(r"[,.;:!?]", head.strip(" ,")):  # `Rally Canada volunteer media coordinator Tom Hinderks said`
        tokens = list(_WORD.finditer(head))
        name = _name_run_before(tokens) if tokens and tokens[-1].end() >= len(head.rstrip()) else None
        if name is not None and len(name[0].split()) >= 2:
            return cue.group(0), name[0], frame_offset + name[1]
    return None


def _attribution_before(frame: str, frame_offset: int, language: Language) -> tuple[str, str, int] | None:
    """`Lavrov said: "…"`, `He told reporters, "…"`, `拉夫罗夫说：“…”`: a cue ending the text before a
    quotation, with its speaker before it."""
    tail = frame.rstrip(" ,:：—–-")
    if not tail:
        return None
    match = None
    for candidate in language.cue_pattern.finditer(tail):
        match = candidate
    if match is None:
        according = language.according_to.search(tail)
        if according:
            mention = _mention_after(tail, according.end(), language)
            if mention and len(words(tail[mention[1] + len(mention[0]) :])) <= 1:
                return according.group(0), mention[0], frame_offset + mention[1]
        return None
    rest = tail[match.end() :]
    if len(words(rest)) > 6 or any(w.casefold() in language.complementizers for w in words(rest)):
        return None  # the cue opens a reported clause (`said that … "…"`): a mixed quote
    if len(words(rest)) >= 2 and not frame.rstrip().endswith((":", "：", ",", "，")):
        return None  # `said the news came as a "shock"`: the clause runs into the quotation, a mixed quote
    mention = _mention_before(tail, match.start(), language)
    if mention is None and not language.cjk and tail[: match.start()].rstrip().endswith(","):
        # `Professor Jay Berzofsky of the National Cancer Institute in Bethesda, Maryland, said:`
        mention = _sentence_subject(tail, match.start(), language)
    if mention is None:
        return None
    return match.group(0), mention[0], frame_offset + mention[1]


def _indirect(
    paragraph: str,
    start: int,
    end: int,
    spans: list[tuple[int, int]],
    language: Language,
    options: QuoteOptions,
) -> Quote | None:
    sentence = paragraph[start:end]
    according = language.according_to.search(sentence)
    if according:
        quote = _according_to(sentence, according, language, options)
        if quote:
            return _placed(quote, start, spans, paragraph)
    for match in language.cue_pattern.finditer(sentence):
        if _passive(sentence, match) or (language.not_speech and language.not_speech.match(sentence, match.start())):
            continue
        quote = _reported(sentence, match, language, options)
        if quote:
            return _placed(quote, start, spans, paragraph)
    return None


def _indirect_all(
    paragraph: str, start: int, end: int, spans: list[tuple[int, int]], language: Language, options: QuoteOptions
) -> list[Quote]:
    """Every reported clause of a sentence (`X said A, but Y said B`), not overlapping."""
    found: list[Quote] = []
    position = start
    while position < end:
        quote = _indirect(paragraph, position, end, spans, language, options)
        if quote is None:
            break
        if not any(q.start < quote.end and quote.start < q.end for q in found):
            found.append(quote)
        before_mention = quote.mention_start is not None and quote.end <= quote.mention_start
        next_position = quote.end if before_mention else max(quote.end, (quote.mention_start or 0) + 1)
        if next_position <= position:
            break
        position = next_position
    return found


_PASSIVE_BEFORE = {"when", "was", "were", "been", "being", "is", "are", "be", "if", "as", "once", "not", "get", "got"}


def _passive(sentence: str, match: re.Match[str]) -> bool:
    """`When asked`, `was told`, `as reported`: the cue's subject is not its speaker."""
    before = words(sentence[: match.start()])
    return bool(before) and before[-1].casefold() in _PASSIVE_BEFORE


def _placed(quote: Quote, sentence_start: int, spans: list[tuple[int, int]], paragraph: str) -> Quote:
    quote.start += sentence_start
    quote.end += sentence_start
    quote.spans = [(a + sentence_start, b + sentence_start) for a, b in quote.spans]
    if quote.mention_start is not None:
        quote.mention_start += sentence_start
    first = bisect.bisect_left(spans, (quote.start, -1))  # spans are sorted and do not overlap
    if quote.kind == "indirect" and first < len(spans) and spans[first][1] <= quote.end:
        quote.kind = "mixed"
    return quote


def _according_to(sentence: str, match: re.Match[str], language: Language, options: QuoteOptions) -> Quote | None:
    """`According to X, CONTENT.` and `CONTENT, according to X.`"""
    before = sentence[: match.start()].strip()
    mention = _mention_after(sentence, match.end(), language)
    if mention is None and not language.cjk:  # `according to national security experts,`: the phrase
        source = _SOURCE_PHRASE.match(sentence, match.end())
        mention = (source.group(1), source.start(1)) if source else None
    if mention is None:
        return None
    name, name_start = mention
    name_end = name_start + len(name)
    if not words(before) or before in {"And", "But"}:
        comma = sentence.find(",", name_end)
        if comma == -1 and language.cjk:
            comma = max(sentence.find("，", name_end), sentence.find("称", name_end))
        if comma == -1:
            return None
        content_start = comma + 1
        content_end = len(sentence)
        if _RELATIVE.match(sentence, content_start):
            return None  # `…, according to Mark Carney, who expects a slowdown`: about the source
    else:
        content_start, content_end = 0, match.start()
        rest = _INTERRUPTED.match(sentence, name_end)
        if rest and before.endswith((",", "，")):  # `Some of those concerns, according to experts, include …`
            head = before.rstrip(" ,，")
            tail = rest.group(1).rstrip(" .。!?")
            if len(words(head)) + len(words(tail)) >= options.min_indirect_words and tail:
                head_start = sentence.index(head)
                tail_start = rest.start(1)
                return Quote(head_start, tail_start + len(tail), f"{head} {tail}", "indirect", match.group(0), name,
                             name_start, 0, spans=[(head_start, head_start + len(head)),
                                                   (tail_start, tail_start + len(tail))])  # fmt: skip
    content = sentence[content_start:content_end].strip(" ,，.。")
    if len(words(content)) < options.min_indirect_words and not (language.cjk and len(content) >= 6):
        return None
    first = sentence.index(content, content_start)
    return Quote(first, first + len(content), content, "indirect", match.group(0), name, name_start, 0)


_RELATIVE = re.compile(r"\s*(?:who|which|whose|whom)\b")
# A short lower-case source up to the punctuation that closes it: `according to addiction experts,`.
_SOURCE_PHRASE = re.compile(r"\s+([^\W\d_][\w'’-]*(?:\s+[\w'’-]+){0,5})(?=\s*(?:[,.;]|$))")
# The rest of a sentence an `according to X` interrupts: after the comma that closes the source,
# a predicate (not a relative clause about the source: `…, according to analysts, who expect …`).
_INTERRUPTED = re.compile(r"[^,]{0,80}?,\s+(?!(?:who|which|whose|whom|and|but|or|as|while|when)\b)([a-z][^\n]*)$")


def _reported(sentence: str, match: re.Match[str], language: Language, options: QuoteOptions) -> Quote | None:
    """`X said (that) CONTENT`, `CONTENT, X said.`, `CONTENT, said X.`, and block intros."""
    cue = match.group(0)
    before = sentence[: match.start()]
    after = sentence[match.end() :]
    mention = _mention_before(sentence, match.start(), language)
    previous_word = (words(before) or [""])[-1].casefold()
    participle = cue.casefold().endswith("ing") and before.rstrip().endswith(",")
    if mention is None and (participle or previous_word in {"and", "but", "also"}):
        mention = _sentence_subject(sentence, match.start(), language)
    if mention is None and not language.cjk:
        subject = _sentence_subject(sentence, match.start(), language)
        between = sentence[subject[1] + len(subject[0]) : match.start()] if subject else ""
        if subject and len(subject[0].split()) >= 2 and "," not in between and len(words(between)) <= 5:
            mention = subject  # `Спасатель капитан Ларри Гайлз в ходе брифинга прессы сообщил`
    clause_start = _content_after_cue(sentence, match, language)
    if mention is not None:
        name, name_start = mention
        content_before = sentence[:name_start].strip(" ,—–-")
        set_off = sentence[:name_start].rstrip().endswith((",", "，", "—", "–")) and _PARENTHETICAL.match(after)
        if clause_start is not None and set_off and _statement(content_before, language, options):
            # `A, he said, but B` / `A, Lohmar said, adding that B`: A first (B on the next pass)
            return Quote(0, len(content_before), content_before, "indirect", cue, name, name_start, 0)
        if clause_start is not None:
            clause_start += len(sentence[clause_start:]) - len(sentence[clause_start:].lstrip())
            content = sentence[clause_start : _next_attribution(sentence, clause_start, language)].rstrip(" .。!?,")
            if len(words(content)) >= options.min_indirect_words or (language.cjk and len(content) >= 6):
                return Quote(clause_start, clause_start + len(content), content, "indirect", cue, name, name_start, 0)
        ends_here = not after.strip(" .!?。") or _frame_only(after)
        if (
            ends_here
            and len(words(content_before)) >= options.min_indirect_words
            and sentence[:name_start].rstrip().endswith((",", "，", "—", "–"))
        ):
            return Quote(0, len(content_before), content_before, "indirect", cue, name, name_start, 0)
        if cue.casefold() in language.block_intro and _introduces_block(after):
            return Quote(0, len(sentence), "", "block_intro", cue, name, name_start, 0)
        return None
    if before.rstrip().rstrip('"”’»').endswith((",", "，")):
        inverted = _mention_after(sentence, match.end(), language)
        content_before = before.rstrip(" ,，")
        if content_before.endswith(('"', "”", "’", "»")):
            content_before = before.rstrip()
        closes = inverted is not None and _closes_sentence(sentence[inverted[1] + len(inverted[0]) :])
        if inverted and closes and len(words(content_before)) >= options.min_indirect_words:
            name, name_start = inverted
            return Quote(0, len(content_before), content_before, "indirect", cue, name, name_start, 0)
    return None


def _statement(content: str, language: Language, options: QuoteOptions) -> bool:
    """Content that can stand as a statement: long enough, not opened by a clause opener
    (`During his years in office, he said, …` frames what follows)."""
    found = words(content)
    return len(found) > options.min_indirect_words and found[0].casefold() not in language.clause_openers


_PARENTHETICAL = re.compile(r"\s*(?:(?:on|in|at|last|this|\w+day|reporters)\s+){0,2}[,—–;]")  # `said, adding`


def _closes_sentence(rest: str) -> bool:
    """After `…, said X`: the end, an appositive (`, a researcher at …`) or a frame."""
    rest = rest.strip()
    return not rest.strip(".!?。") or rest.startswith(",") or _frame_only(" " + rest)


def _next_attribution(sentence: str, start: int, language: Language) -> int:
    """Where a second speaker takes over within the sentence (`While critics say A, Jagelewski
    says B`): the comma before a later cue that has a speaker of its own; else the end."""
    for match in language.cue_pattern.finditer(sentence, start):
        head = sentence[: match.start()]
        comma = head.rfind(",")
        if comma <= start or len(words(head[comma:])) > 4:
            continue
        if _mention_before(sentence, match.start(), language) is not None:
            return comma
    return len(sentence)


def _frame_only(after: str) -> bool:
    """What may follow `…, X said` without being content: `in an interview`, `on Monday`."""
    return bool(re.match(r"\s*(?:in|on|at|during|to|after|before|last|this|earlier|later)\b[^,;:]*$", after))


def _introduces_block(after: str) -> bool:
    """What follows the cue announces speech to come: nothing, a colon, or a manner phrase."""
    rest = after.strip()
    return (
        not rest
        or rest.startswith((":", "："))
        or rest.rstrip(".").endswith(":")
        or bool(re.match(r"(?:with|by|as follows|the following|in (?:the )?(?:negative|affirmative))\b", rest))
    )


def _content_after_cue(sentence: str, match: re.Match[str], language: Language) -> int | None:
    """Where the reported clause starts after a cue: after a complementizer (`that`, `что`,
    `dass`) within a few words, else right after the cue (and its addressee, `told reporters`)."""
    after = sentence[match.end() :]
    if language.cjk:
        stripped = after.lstrip("，,：: ")
        return match.end() + (len(after) - len(stripped)) if stripped else None
    if after.lstrip()[:1] in {".", "!", "?"} or not after.strip():
        return None
    tokens = list(_WORD.finditer(after))
    complementizers = {c.casefold() for c in language.complementizers}
    addressee = match.group(0).casefold() in language.object_verbs  # `told the Associated Press that`
    for index, token in enumerate(tokens[:14]):
        if token.group(0).casefold() in complementizers:
            if '"' in after[: token.start()] or "“" in after[: token.start()]:
                break
            lead = tokens[0].group(0).casefold() if index else ""
            if (
                index
                and not addressee
                and lead not in _FRAME_WORDS
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
    next_words = [w.casefold() for w in words(after[begin:])[:2]]
    if next_words and next_words[0] in _FRAME_WORDS:
        # `said in his New Year's speech he was ready …`: the clause starts at the subject pronoun
        # after the frame; `said in an interview.` / `said on Monday.`: a frame, no content
        for token in list(_WORD.finditer(after, begin))[1:9]:
            if "," in after[begin : token.start()] or "." in after[begin : token.start()].replace("'s", ""):
                break
            if token.group(0) in _SUBJECT_PRONOUNS.get(language.code, ()):
                return match.end() + token.start()
        return None
    if len(next_words) == 2 and next_words[0] in {"this", "it", "so", "that"} and next_words[1] in _FRAME_WORDS:
        return None  # `He noted this in an interview`: refers back to speech reported before
    return match.end() + begin


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


def _mention_before(text: str, cue_start: int, language: Language) -> tuple[str, int] | None:
    """The speaker written just before a cue: a pronoun, a name, or a role phrase; skipping
    adverbs (`also`, `previously`) and an appositive (`Gomes, a researcher at X, said`)."""
    if language.cjk:
        return _han_mention_before(text, cue_start, language)
    head = text[:cue_start]
    tokens = list(_WORD.finditer(head))
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
    name = _name_run_before(tokens, language.openers)
    if name is not None:
        holder = _holder_of(tokens, name, language)
        if holder is not None:  # `A spokeswoman for Trudeau said`: the spokeswoman, not Trudeau
            return holder
        subject = _subject_behind_prepositions(tokens, name, language)
        return _with_article(tokens, subject, language) if subject is not None else None
    return _role_phrase_before(tokens, language)


_NOT_DEFINITE = {"a", "an", "his", "her", "their", "ein", "eine"}


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
    person = _name_run_before(tokens[: article - 1])
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
        found = _name_run_before(tokens[:end], language.openers) if end else None
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
        tokens = list(_WORD.finditer(body[:comma]))
        return _name_run_before(tokens, language.openers) if tokens else None
    described = list(_WORD.finditer(body[:comma]))
    named = appositive.split()
    if (
        described
        and described[-1].group(0).islower()
        and 1 <= len(named) <= 4
        and all(_is_name_token(word) for word in named)
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
        or first.endswith(("'s", "’s"))
    ):
        return None
    tokens = list(_WORD.finditer(body[:comma]))
    if not tokens:
        return None
    if tokens[-1].group(0).casefold() in language.pronouns:
        return tokens[-1].group(0), tokens[-1].start()
    return _name_run_before(tokens, language.openers)


def _opening_subject(head: str, language: Language) -> tuple[str, int] | None:
    """The name or pronoun that opens the sentence and is followed by a comma."""
    boundary = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    sentence_start = boundary + 2 if boundary >= 0 else 0
    first_comma = head.find(",", sentence_start)
    if first_comma == -1 or first_comma == len(head) - 1:
        return None
    segment = head[sentence_start:first_comma]
    tokens = list(_WORD.finditer(segment))
    if not tokens or len(tokens) > 5:
        return None
    if len(tokens) == 1 and tokens[0].group(0).casefold() in language.pronouns:
        return tokens[0].group(0), sentence_start + tokens[0].start()
    name = _name_run_before(tokens, language.openers)
    if name is None or (name[1] != tokens[0].start() and segment[: name[1]].strip().casefold() not in NOT_A_NAME):
        return None
    return name[0], sentence_start + name[1]


def _sentence_subject(sentence: str, cue_start: int, language: Language) -> tuple[str, int] | None:
    """The subject of the sentence a participle or a second verb hangs on: `Higgs has said …,
    insisting …`, `Pompeo praised … and said …`."""
    tokens = list(_WORD.finditer(sentence[:cue_start]))
    index = 0
    skippable = NOT_A_NAME | language.skip | language.openers | language.roles
    while index < len(tokens) and tokens[index].group(0).casefold() in skippable:
        index += 1
    if index >= len(tokens):
        return None
    first = tokens[index]
    if first.group(0).casefold() in language.pronouns:
        return first.group(0), first.start()
    run = [first] if _is_name_token(first.group(0)) else []
    for token in tokens[index + 1 :]:
        if not (_is_name_token(token.group(0)) or token.group(0).casefold() in NAME_PARTICLES):
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
        if not _is_name_token(token.group(0)):
            break
        name.append(token)
    return name


def _abbreviated(word: str, language: Language | None) -> bool:
    """`Rep`, `Sen`, `Dr`, `Gov`, `J` before a dot: an abbreviation or an initial, not a sentence end."""
    if _INITIALISM.fullmatch(word):
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


_INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]\.?")  # `U.S`, `U.N`, `E.U.` (the tokenizer keeps inner dots)


def _is_name_token(token: str) -> bool:
    return (
        (token[:1].isupper() and not token.isupper())
        or (len(token) <= 4 and token.isupper() and token.isalpha())
        or bool(_INITIALISM.fullmatch(token))
    )


def _name_run_before(tokens: list[re.Match[str]], openers: frozenset[str] = frozenset()) -> tuple[str, int] | None:
    run: list[re.Match[str]] = []
    for token in reversed(tokens):
        word = token.group(0)
        if _is_name_token(word) or (run and word.casefold() in NAME_PARTICLES and run[-1].group(0)[:1].isupper()):
            gap = token.string[token.end() : run[-1].start()].strip() if run else ""
            if gap and not (gap == "." and _abbreviated(word, None)):
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
            initialism = bool(_INITIALISM.fullmatch(word))  # `U.S. officials`
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


def _mention_after(text: str, position: int, language: Language) -> tuple[str, int] | None:
    """The speaker written just after a cue or `according to`: `said Telford`, `said he`,
    `says the affable proprietor`, `according to the most recent numbers from Statistics Canada`."""
    if language.cjk:
        return _han_mention_after(text, position, language)
    rest = text[position:]
    tokens = list(_WORD.finditer(rest))
    if not tokens or rest[: tokens[0].start()].strip(" ") not in {"", ","}:
        return None
    first = tokens[0].group(0)
    if first.casefold() in language.pronouns | language.object_pronouns:
        return first, position + tokens[0].start()
    if first.casefold() in TIME_WORDS:
        return None  # `said Friday`, `said today`
    stops = STOP_AFTER_SPEAKER.get(language.code, set())
    run: list[re.Match[str]] = []
    described_until = -1
    for index, token in enumerate(tokens):
        word = token.group(0)
        gap = rest[run[-1].end() : token.start()].strip() if run else ""
        if gap and not (gap == "." and _abbreviated(run[-1].group(0), language)):
            break  # punctuation ends the phrase (not the dot of `Rep. Jim McGovern`)
        role = None if run or index <= described_until else _role_before_name(tokens, index, language)
        if index <= described_until or role is not None:
            described_until = max(described_until, role if role is not None else index)
            run.append(token)  # `said oil and gas worker Mike Wipf`: the description up to its role word
            continue
        if run and word.casefold() in stops:
            break
        if not run and word.casefold() in ARTICLES.get(language.code, {"the"}) | language.roles:
            run.append(token)  # `said the affable proprietor`, `said police Chief Joseph Boinnet`
            continue
        following = tokens[index + 1].group(0).casefold() if index + 1 < len(tokens) else ""
        if len(run) < 2 and word.islower() and following in language.roles:
            run.append(token)  # `said lead author Dr. Allan Garland`
            continue
        if _is_name_token(word) or (run and word.casefold() in NAME_PARTICLES):
            run.append(token)
            continue
        if run and (word.casefold() in language.roles or word.casefold() == "and") and len(run) < 8:
            run.append(token)  # `Heart and Stroke senior manager Erin Kim`
            continue
        capitalized_seen = any(_is_name_token(t.group(0)) for t in run)
        if run and run[0].group(0).casefold() in ARTICLES.get(language.code, {"the"}) and len(run) < 5:
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
    if run[0].group(0).casefold() in ARTICLES.get(language.code, {"the"}) and _is_name_token(run[-1].group(0)):
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
        if word in language.roles and _is_name_token(tokens[ahead + 1].group(0)):
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
    name = han_name(run, language)
    if name is None:
        return None
    return name, match.end() - len(name)


def _han_mention_after(text: str, position: int, language: Language) -> tuple[str, int] | None:
    match = re.match(r"([\u3400-\u9fff·•]{2,20}?)(?:称|说|表示|报道|消息|[，,：:])", text[position:])
    if not match:
        return None
    return match.group(1), position + match.start(1)


def quote_rows(article: dict[str, Any], options: QuoteOptions = QuoteOptions()) -> list[Quote]:
    """Quotes of one article row (its ``text`` and ``language``), block intros dropped."""
    return [q for q in extract_quotes(article["text"], article.get("language"), options) if q.kind != "block_intro"]


def quote_id(article_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"{article_id}:{start}:{end}".encode()).hexdigest()[:16]


def quote_table(
    articles: pa.Table, options: QuoteOptions = QuoteOptions(), extra: Mapping[str, list[Quote]] | None = None
) -> pa.Table:
    """The quote stage over a batch of articles: one ``quotes`` row per quote, speakers resolved
    within each article (``speaker_id`` stays null until the corpus-wide pass). ``extra`` quotes
    (per article id: the attribution tagger's) join the rules' before speakers are resolved."""
    rows: list[dict[str, Any]] = []
    columns = ["article_id", "text", "language", "paragraph_languages"]
    for article in articles.select(columns).to_pylist():
        quotes = quote_rows(article, options) + list((extra or {}).get(article["article_id"], ()))
        resolve_in_article(article["text"], quotes, article["language"], options.continuation_paragraphs)
        paragraph_languages = article["paragraph_languages"] or []
        for quote in quotes:
            language = paragraph_languages[quote.paragraph] if quote.paragraph < len(paragraph_languages) else None
            rows.append({
                "quote_id": quote_id(article["article_id"], quote.start, quote.end),
                "article_id": article["article_id"], "text": quote.text, "start": quote.start, "end": quote.end,
                "kind": quote.kind, "cue": quote.cue, "speaker_mention": quote.speaker_mention,
                "speaker": quote.speaker, "speaker_role": quote.speaker_role,
                "speaker_confidence": quote.speaker_confidence, "speaker_id": None,
                "language": language or article["language"], "paragraph": quote.paragraph,
                "parts": [{"start": a, "end": b} for a, b in quote.spans or [(quote.start, quote.end)]],
                "text_en": None,  # the align stage's gloss
            })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schemas.QUOTES)
