"""Reported speech within a sentence: `X said (that) …`, `…, X said.`, `…, said X.`, `According to
X, …`, and the shapes real news gives them — the speaker after the cue (`…, a annoncé un
porte-parole du ministère`), after the verb of a verb-second sentence (`Im Interview sagte der
Minister, …`), left out (`Añadió que …`), or around an attribution that interrupts the statement
(`Russia, she said on Wednesday, was pursuing …`). ``rules`` calls ``indirect_quotes`` on every
sentence that no direct quote covers."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from quotetrace.corpus.attribution.clauses import (
    closes_sentence,
    content_after_cue,
    frame_only,
    introduces_block,
    next_attribution,
)
from quotetrace.corpus.attribution.mentions import mention_after, mention_before, sentence_subject
from quotetrace.corpus.attribution.records import Quote, QuoteOptions
from quotetrace.corpus.attribution.tokens import WORD, is_name_token, words
from quotetrace.corpus.lexicon import Language


def cues(text: str, language: Language) -> Iterator[re.Match[str]]:
    """The cues in ``text``; in a language that leaves out its subjects, also one that opens it
    capitalized (`Añadió que …`, `Ha aggiunto: "…"`)."""
    return language.cue_pattern.finditer(text[:1].lower() + text[1:] if language.pro_drop else text)


def _indirect(
    paragraph: str,
    start: int,
    end: int,
    spans: list[tuple[int, int]],
    language: Language,
    options: QuoteOptions,
) -> Quote | None:
    sentence = paragraph[start:end]
    according = language.according_to.search(sentence) or _opinion_of(sentence, language)
    if according:
        quote = _according_to(sentence, according, language, options)
        if quote:
            return _placed(quote, start, spans, paragraph)
    for match in cues(sentence, language):
        if _passive(sentence, match) or (language.not_speech and language.not_speech.match(sentence, match.start())):
            continue
        quote = _reported(sentence, match, language, options)
        if quote:
            return _placed(quote, start, spans, paragraph)
    return None


def indirect_quotes(
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


def _opinion_of(sentence: str, language: Language) -> re.Match[str] | None:
    """`Pour le vice-président de la CENI, …`: a sentence opened by whose view it gives, when that
    one is named or described by a role (not `Pour la première fois, …`)."""
    marker = language.opinion_marker.match(sentence) if language.opinion_marker else None
    mention = mention_after(sentence, marker.end(), language) if marker else None
    if mention is None or not _names_someone(mention[0], language):
        return None
    return marker


def _names_someone(mention: str, language: Language) -> bool:
    """A mention with a name or a role word in it (`le vice-président de la CENI`, `Lavrov`), not a
    clause or a phrase a cue happens to precede (`the talks failed`, `la première fois`)."""
    return any(w.casefold() in language.roles or is_name_token(w) for w in words(mention))


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
    mention = mention_after(sentence, match.end(), language)
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
        relative = WORD.search(sentence, content_start)
        if relative and relative.group(0).casefold() in language.relatives and not before:
            # `Nach Informationen der Beobachtungsstelle, die gut informiert ist, liegt …`: past the relative clause
            closing = sentence.find(",", relative.end())
            if closing == -1:
                return None
            content_start = closing + 1
    else:
        content_start, content_end = 0, match.start()
        if before.endswith((",", "，")):  # `Some of those concerns, according to experts, include …`
            quote = _interrupted(sentence, match, name_end, (name, name_start), options)
            if quote is not None:
                return quote
    content = sentence[content_start:content_end].strip(" ,，.。")
    if len(words(content)) < options.min_indirect_words and not (language.cjk and len(content) >= 6):
        return None
    first = sentence.index(content, content_start)
    return Quote(first, first + len(content), content, "indirect", match.group(0), name, name_start, 0)


def _interrupted(
    sentence: str, match: re.Match[str], resume: int, mention: tuple[str, int], options: QuoteOptions
) -> Quote | None:
    """One statement an attribution interrupts (`Some of those concerns, according to experts,
    include …`, `Russia, she said on Wednesday, was pursuing …`): the subject before it and the
    predicate after the comma that closes it (from ``resume``), as one quote in two parts."""
    rest = _INTERRUPTED.match(sentence, resume)
    head = sentence[: mention[1] if mention[1] < match.start() else match.start()].strip().rstrip(" ,，")
    if rest is None or not head:
        return None
    tail = rest.group(1).rstrip(" .。!?")
    if len(words(head)) + len(words(tail)) < options.min_indirect_words or not tail:
        return None
    head_start = sentence.index(head)
    tail_start = rest.start(1)
    spans = [(head_start, head_start + len(head)), (tail_start, tail_start + len(tail))]
    return Quote(head_start, tail_start + len(tail), f"{head} {tail}", "indirect", match.group(0), mention[0],
                 mention[1], 0, spans=spans)  # fmt: skip


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
    fronted = _subject_after_verb(sentence, match, language)
    if fronted is not None:  # `Im Interview sagte der Minister, die Lage sei ernst`
        name, name_start, clause = fronted
        content = sentence[clause : next_attribution(sentence, clause, language)].rstrip(" .。!?,")
        if len(words(content)) >= options.min_indirect_words:
            return Quote(clause, clause + len(content), content, "indirect", cue, name, name_start, 0)
    mention = mention_before(sentence, match.start(), language)
    inverted = _inverted_speaker(sentence, match, language, named=mention is not None)
    if inverted is not None and len(words(inverted[2])) >= options.min_indirect_words:
        content = inverted[2]  # `…, a annoncé un porte-parole du ministère`: the speaker after the cue
        return Quote(0, len(content), content, "indirect", cue, inverted[0], inverted[1], 0)
    previous_word = (words(before) or [""])[-1].casefold()
    participle = cue.casefold().endswith("ing") and before.rstrip().endswith(",")
    if mention is None and (participle or previous_word in {"and", "but", "also"}):
        mention = sentence_subject(sentence, match.start(), language)
    if mention is None:
        mention = _pronoun_in_cue(cue, match.start(), language)  # `…, a-t-il précisé`, `dit-elle`
    if mention is None and not language.cjk:
        subject = sentence_subject(sentence, match.start(), language)
        between = sentence[subject[1] + len(subject[0]) : match.start()] if subject else ""
        if subject and len(subject[0].split()) >= 2 and "," not in between and len(words(between)) <= 5:
            mention = subject  # `Спасатель капитан Ларри Гайлз в ходе брифинга прессы сообщил`
    clause_start = content_after_cue(sentence, match, language)
    if mention is None and clause_start is not None and _subject_left_out(before, language):
        content = sentence[clause_start:].strip()
        start = sentence.index(content, clause_start) if content else clause_start
        content = content[: next_attribution(content, 0, language)].rstrip(" .。!?,")
        if len(words(content)) >= options.min_indirect_words:
            return Quote(start, start + len(content), content, "indirect", cue, None, None, 0)
    if mention is not None:
        name, name_start = mention
        content_before = sentence[:name_start].strip(" ,—–-")
        set_apart = sentence[:name_start].rstrip().endswith((",", "，", "—", "–"))
        set_off = set_apart and _PARENTHETICAL.match(after)
        if clause_start is not None and set_off and _statement(content_before, language, options):
            # `A, he said, but B` / `A, Lohmar said, adding that B`: A first (B on the next pass)
            return Quote(0, len(content_before), content_before, "indirect", cue, name, name_start, 0)
        head = words(content_before)
        if set_apart and 0 < len(head) <= 4 and head[0].casefold() not in language.clause_openers:
            # `Russia, she said on Wednesday, was pursuing …`
            quote = _interrupted(sentence, match, match.end(), mention, options)
            if quote is not None:
                return quote
        if clause_start is not None:
            clause_start += len(sentence[clause_start:]) - len(sentence[clause_start:].lstrip())
            content = sentence[clause_start : next_attribution(sentence, clause_start, language)].rstrip(" .。!?,")
            if len(words(content)) >= options.min_indirect_words or (language.cjk and len(content) >= 6):
                return Quote(clause_start, clause_start + len(content), content, "indirect", cue, name, name_start, 0)
        ends_here = not after.strip(" .!?。") or frame_only(after, language)
        if ends_here and len(words(content_before)) >= options.min_indirect_words and set_apart:
            return Quote(0, len(content_before), content_before, "indirect", cue, name, name_start, 0)
        if cue.casefold() in language.block_intro and introduces_block(after):
            return Quote(0, len(sentence), "", "block_intro", cue, name, name_start, 0)
    return None


_WORDS_ONLY = re.compile(r"\s*(?:[^\W\d_]+(?:[\s,]+|$))*")  # each word ends at a separator: no backtracking


def _subject_after_verb(sentence: str, match: re.Match[str], language: Language) -> tuple[str, int, int] | None:
    """In a verb-second language, a sentence opened by an adverb or a phrase (``fronted``) has
    its subject after the verb: `Dazu erklärte der Sprecher, dass …`, `In einem offenen Brief
    erklärt Moderator Richard Gutjahr, warum …`. (mention, its offset, where the clause starts)."""
    before = sentence[: match.start()]
    opening = words(before)
    if not language.fronted or not opening or "," in before[before.rfind(":") + 1 :]:
        return None
    # opened by the phrase (`Dazu`, `Im Interview`), or the cue right after one that opens a sentence
    # a scrape ran into the one before (`… klagt an In einem offenen Brief erklärt`)
    opens = [w for w in opening[-4:-1] if w[:1].isupper() and w.casefold() in language.prepositions]
    if opening[0].casefold() not in language.fronted and not opens:
        return None
    mention = mention_after(sentence, match.end(), language)
    if mention is None:
        return None
    after = _CLAUSE_AFTER_SUBJECT.search(sentence, mention[1] + len(mention[0]))
    between = sentence[mention[1] + len(mention[0]) : after.start()] if after else ""
    tail = words(between)[-1:]
    object_then_particle = len(words(between)) <= 5 and bool(tail) and tail[0] in language.split_particles
    if after is None or (words(between) and not frame_only(between, language) and not object_then_particle):
        return None  # `sagte der Minister am Montag, …`, `wirft er dem Intendanten vor, …`
    complementizer = WORD.match(sentence, after.end())
    clause = after.end()
    if complementizer and complementizer.group(0).casefold() in language.complementizers:
        clause = complementizer.end() + 1
    return mention[0], mention[1], clause


_CLAUSE_AFTER_SUBJECT = re.compile(r"\s*[,:]\s*")


def _subject_left_out(before: str, language: Language) -> bool:
    """`Añadió que …`, `Después, dijo que …`: a cue that opens its sentence (after adverbs at most)
    in a language that leaves out a pronoun subject: the speaker is the one the article is on."""
    if not language.pro_drop or not _WORDS_ONLY.fullmatch(before):
        return False  # only words and commas before the cue: no quotation, no clause of its own
    return all(w.casefold() in language.skip for w in words(before))


def _inverted_speaker(
    sentence: str, match: re.Match[str], language: Language, named: bool
) -> tuple[str, int, str] | None:
    """`…, said Lavrov.`, `A, B et C, a annoncé un porte-parole du ministère à Berlin.`: a speaker
    after a cue set off by a comma, where only a frame follows (mention, offset, content before).
    Where a name also stands before the cue (``named``), the one after it must be a name or a
    role (`Lavrov, the minister, said the talks failed` is no inversion)."""
    before = sentence[: match.start()]
    if not before.rstrip().rstrip('"”’»').endswith((",", "，")):
        return None
    inverted = mention_after(sentence, match.end(), language)
    if inverted is None or not closes_sentence(sentence[inverted[1] + len(inverted[0]) :], language):
        return None
    if named and not _names_someone(inverted[0], language):
        return None
    content = before.rstrip(" ,，")
    return inverted[0], inverted[1], before.rstrip() if content.endswith(('"', "”", "’", "»")) else content


def _pronoun_in_cue(cue: str, cue_start: int, language: Language) -> tuple[str, int] | None:
    """The subject pronoun a cue carries inverted (`a-t-il précisé`, `dit-elle`, `ont-ils déclaré`):
    the speaker, standing at the cue (content before it ends at the cue)."""
    for part in re.split(r"[\s-]+", cue):
        if part.casefold() in language.pronouns:
            return part, cue_start
    return None


def _statement(content: str, language: Language, options: QuoteOptions) -> bool:
    """Content that can stand as a statement: long enough, not opened by a clause opener
    (`During his years in office, he said, …` frames what follows)."""
    found = words(content)
    return len(found) > options.min_indirect_words and found[0].casefold() not in language.clause_openers


_PARENTHETICAL = re.compile(r"\s*(?:(?:on|in|at|last|this|\w+day|reporters)\s+){0,2}[,—–;]")  # `said, adding`
