"""Quotes by rule: direct, indirect and mixed quotes with the speaker as written in the article.

Rules over sentences, driven by curated per-language resources in ``corpus/data/`` (cue verbs,
quotation marks, pronouns, role words), so that a language is added as data:

- direct: text between quotation marks (every style news uses), attributed by a cue in the
  same sentence (`"…," he said`, `Lavrov said: "…"`); a quote split around its attribution is
  joined; a quote with no cue that opens its paragraph continues the previous speaker;
- indirect: `X said (that) …`, `… , X said.`, `According to X, …`, `X told reporters …`;
- mixed: an indirect frame whose content holds a quoted fragment;
- block: a paragraph without quotation marks that follows `X answered with a clear refusal.`
  or `X said:` is X's direct speech.

Reported speech within a sentence is ``indirect``'s; the speaker mention is found by ``mentions``,
an indirect quote's bounds by ``clauses``; speakers are resolved to full names within the article
by ``in_article``. (``QuoteOptions`` lives in ``records``, shared by both.)
"""

from __future__ import annotations

import bisect
import re

from quotetrace.corpus.attribution.indirect import cues, indirect_quotes
from quotetrace.corpus.attribution.marks import quoted_spans, strip_marks
from quotetrace.corpus.attribution.mentions import han_name_opening, mention_after, mention_before, sentence_subject
from quotetrace.corpus.attribution.records import Quote, QuoteOptions
from quotetrace.corpus.attribution.tokens import WORD, is_name_token, name_run_before, words
from quotetrace.corpus.lexicon import HAN, Language, language_resources
from quotetrace.corpus.sentences import split_sentences


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
    previous = (-1, "")  # offset and text of the paragraph before
    for index, paragraph in enumerate(text.split("\n\n")):
        said = _dash_attribution(paragraph, offset, language)
        if said is not None and index and not (quotes and quotes[-1].paragraph == index - 1):
            block = _dash_block(previous, index - 1, said, language, options)
            quotes.extend([block] if block else [])
        else:
            quotes.extend(_paragraph_quotes(paragraph, offset, index, language, options, quotes))
        previous = (offset, paragraph)
        offset += len(paragraph) + 2
    return quotes


def _dash_attribution(paragraph: str, offset: int, language: Language) -> tuple[str, str | None, int | None] | None:
    """A paragraph that only attributes the one before it: `– powiedział.`, `– dodał minister.`,
    `— заявил Песков.` (the speech above it, unmarked). (cue, mention, mention offset)."""
    found = _DASH_LINE.match(paragraph)
    if found is None or len(words(paragraph)) > 6:
        return None
    cue = language.cue_pattern.match(paragraph, found.end())
    if cue is None:
        return None
    mention = mention_after(paragraph, cue.end(), language)
    if mention is None and not language.pro_drop:
        return None
    return cue.group(0), mention[0] if mention else None, offset + mention[1] if mention else None


def _dash_block(
    paragraph: tuple[int, str],
    index: int,
    said: tuple[str, str | None, int | None],
    language: Language,
    options: QuoteOptions,
) -> Quote | None:
    """The paragraph (offset, text) a dash line attributes, as a direct quote."""
    offset, text = paragraph
    content = text.strip()
    if not content or _is_fragment(content, language, options):
        return None
    start = offset + len(text) - len(text.lstrip())
    end = start + len(content)
    return Quote(start, end, strip_marks(content), "direct", said[0], said[1], said[2], index, spans=[(start, end)])


_DASH_LINE = re.compile(r"\s*[–—-]\s*")


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
        opens_sentence = not frame_before.strip()
        if attribution is None and opens_sentence and not found:  # `"I feel good," Daniels said. "So I'm …"`
            attribution = _attribution_of_sentence_before(paragraph, sentences, before_start, spans, language)
        if attribution is None and _reporting_frame(frame_before, language):
            continue  # `Starmer said that … and "build …"`: a quoted fragment of a mixed quote
        if attribution is None and not (opens_sentence and (first[0] == 0 or _same_paragraph(earlier, found, index))):
            continue  # a quotation nobody is said to have said: a title, a term, a sign
        content = " ".join(strip_marks(paragraph[a:b]) for a, b in group)
        found.append(
            Quote(
                start=offset + first[0],
                end=offset + last[1],
                text=content,
                kind="direct",
                cue=attribution[0] if attribution else None,
                speaker_mention=attribution[1] if attribution else None,
                mention_start=offset + attribution[2] if attribution and attribution[2] is not None else None,
                paragraph=index,
                spans=[(offset + a, offset + b) for a, b in group],
            )
        )
    covered = sorted((q.start - offset, q.end - offset) for q in found)
    covered_ends = [b for _, b in covered]

    # Indirect and mixed quotes in sentences no direct quote covers.
    for position, (start, end) in enumerate(sentences):
        first = bisect.bisect_right(covered_ends, start)  # the first direct quote ending after the sentence starts
        if first < len(covered) and covered[first][0] < end:
            continue
        reported = indirect_quotes(paragraph, start, end, spans, language, options)
        before = _reported_before(paragraph, sentences, position, found, language, options)
        if before is not None:  # `…. Об этом сообщил глава МИД Сергей Лавров.`
            reported = [before]
        if not reported and _continues_report(paragraph, sentences, position, found, earlier, index, language, options):
            content = paragraph[start:end].strip().rstrip(" .!?")
            reported = [Quote(start, start + len(content), content, "indirect", None, None, None, index)]
        for quote in reported:
            quote.start += offset
            quote.end += offset
            quote.spans = [(a + offset, b + offset) for a, b in quote.spans]
            quote.mention_start = offset + quote.mention_start if quote.mention_start is not None else None
            quote.paragraph = index
            found.append(quote)
    found.sort(key=lambda q: q.start)
    return found


def _reported_before(
    paragraph: str,
    sentences: list[tuple[int, int]],
    position: int,
    found: list[Quote],
    language: Language,
    options: QuoteOptions,
) -> Quote | None:
    """The sentence before one that opens with ``refers_back`` (`Об этом сообщил Лавров.`, `Cela a
    été rapporté par l'agence ČTK.`), as a quote of the speaker named there, unless it is one already."""
    start, end = sentences[position]
    if not position:
        return None
    phrase = language.refers_back.match(paragraph, start) if language.refers_back else None
    cue, phrase_end = (phrase.group(0).strip(), phrase.end()) if phrase else (None, start)
    opening = None if phrase else next(cues(paragraph[start:end], language), None)
    if opening is not None and opening.start() == 0 and language.pro_drop:
        # `Сказал Трамп, подражая голосу ведущего.`: a cue and its speaker, and no content of their own
        named = mention_after(paragraph, start + opening.end(), language)
        named_end = named[1] + len(named[0]) if named else start
        if named and named[0].casefold() not in language.pronouns and paragraph[named_end : named_end + 1] in ",.":
            cue, phrase_end = paragraph[start : start + opening.end()], start + opening.end()
    if cue is None:
        return None
    mention = mention_after(paragraph, phrase_end, language)
    first, last = sentences[position - 1]
    if mention is None or any(q.start < last and first < q.end for q in found):
        return None
    content = paragraph[first:last].strip().rstrip(" .!?")
    if len(words(content)) < options.min_indirect_words:
        return None
    content_start = paragraph.index(content, first)
    return Quote(content_start, content_start + len(content), content, "indirect", cue, mention[0], mention[1], 0)


def _attribution_of_sentence_before(
    paragraph: str,
    sentences: list[tuple[int, int]],
    sentence_start: int,
    spans: list[tuple[int, int]],
    language: Language,
) -> tuple[str, str | None, int | None] | None:
    """The attribution that ends the sentence before, after its own quotation (`"I feel good,"
    Daniels said.`): a quotation opening the next sentence is the same speaker's. (When that
    quotation is a quote found already, the next one simply continues its speaker.)"""
    index = bisect.bisect_right([start for start, _ in sentences], sentence_start) - 1
    if index <= 0:
        return None
    start, end = sentences[index - 1]
    closing = [b for a, b in spans if start <= a and b <= end]
    if not closing:
        return None
    return _attribution_in(paragraph[closing[-1] : end], closing[-1], language, anchored=True)


def _continues_report(
    paragraph: str,
    sentences: list[tuple[int, int]],
    position: int,
    found: list[Quote],
    earlier: list[Quote],
    index: int,
    language: Language,
    options: QuoteOptions,
) -> bool:
    """`…, sagte Trump am Montag. Dies sei keineswegs ein Beleg dafür, …`: a sentence in the mood of
    reported speech (the language's ``reported_markers``), with no cue of its own, right after an
    attributed quote (or another such sentence) continues it; its speaker is the previous one."""
    start, end = sentences[position]
    sentence = paragraph[start:end]
    found_words = words(sentence)
    if (
        not language.reported_markers
        or len(found_words) < options.min_indirect_words
        or sentence.rstrip().endswith("?")
        or language.cue_pattern.search(sentence)
        or not any(w.casefold() in language.reported_markers for w in found_words)
    ):
        return False
    if position == 0:  # the paragraph opens with it: the last paragraph ended with a quote
        return not found and bool(earlier) and earlier[-1].paragraph == index - 1
    previous_start = sentences[position - 1][0]
    return any(q.paragraph == index and q.end > previous_start for q in found)


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
    return bool(next(cues(frame_before, language), None) or language.according_to.search(frame_before))


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


def _attribution_in(
    frame: str,
    frame_offset: int,
    language: Language,
    anchored: bool = False,
) -> tuple[str, str | None, int | None] | None:
    """(cue, speaker mention, mention offset) from the text right after a quotation:
    `, he said`, `, said Lavrov`, ` Lavrov said in an interview`, `, so Lawrow`; in a language that
    drops its subjects, `, admitió` (no mention: the speaker continues)."""
    if not frame.strip():
        return None
    match = language.cue_pattern.search(frame)
    if match is None:
        according = language.according_to.search(frame)
        if according and (not anchored or len(words(frame[: according.start()])) <= 2):
            mention = mention_after(frame, according.end(), language)
            if mention:
                return according.group(0), mention[0], frame_offset + mention[1]
        return None
    if anchored and len(words(frame[: match.start()])) > 6:
        return _long_attribution(frame, frame_offset, match)
    cue = match.group(0)
    mention = mention_before(frame, match.start(), language)
    if mention is None:
        mention = mention_after(frame, match.end(), language)
    if mention is None and language.cjk and anchored:
        mention = han_name_opening(frame)  # `“…，”克洛布查尔周一在约翰斯顿告诉记者`
    if mention is None:
        if language.pro_drop and anchored and not words(frame[: match.start()]):
            return cue, None, None  # `"…", admitió.`: the subject is implied, the previous speaker
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
    if found is not None and all(is_name_token(t.rstrip(".")) for t in found.group(1).split()):
        return cue.group(0), found.group(1), frame_offset + found.start(1)
    if not re.search(r"[,.;:!?]", head.strip(" ,")):  # `Rally Canada volunteer media coordinator Tom Hinderks said`
        tokens = list(WORD.finditer(head))
        name = name_run_before(tokens) if tokens and tokens[-1].end() >= len(head.rstrip()) else None
        if name is not None and len(name[0].split()) >= 2:
            return cue.group(0), name[0], frame_offset + name[1]
    return None


def _attribution_before(frame: str, frame_offset: int, language: Language) -> tuple[str, str | None, int | None] | None:
    """`Lavrov said: "…"`, `He told reporters, "…"`, `拉夫罗夫说：“…”`: a cue ending the text before a
    quotation, with its speaker before it."""
    tail = frame.rstrip(" ,:：—–-")
    if not tail:
        return None
    match = None
    for candidate in cues(tail, language):
        match = candidate
    if match is None:
        according = language.according_to.search(tail)
        if according:
            mention = mention_after(tail, according.end(), language)
            if mention and len(words(tail[mention[1] + len(mention[0]) :])) <= 1:
                return according.group(0), mention[0], frame_offset + mention[1]
        return None
    rest = tail[match.end() :]
    if len(words(rest)) > 6 or any(w.casefold() in language.complementizers for w in words(rest)):
        return None  # the cue opens a reported clause (`said that … "…"`): a mixed quote
    if len(words(rest)) >= 2 and not frame.rstrip().endswith((":", "：", ",", "，")):
        return None  # `said the news came as a "shock"`: the clause runs into the quotation, a mixed quote
    mention = mention_before(tail, match.start(), language)
    if mention is None and not language.cjk and tail[: match.start()].rstrip().endswith(","):
        # `Professor Jay Berzofsky of the National Cancer Institute in Bethesda, Maryland, said:`
        mention = sentence_subject(tail, match.start(), language)
    if mention is None:
        if language.pro_drop and not words(rest):
            return match.group(0), None, None  # `pidió perdón diciendo: "…"`: the subject left out
        return None
    return match.group(0), mention[0], frame_offset + mention[1]
