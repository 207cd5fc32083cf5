"""Quotes the tagger finds where the rules found none: the learned half of attribution.

The tagger marks content, cue and source spans per sentence (``tagger.py``). A content span
becomes a quote only with its frame in reach: a cue and a source the tagger marked in the
sentences it covers. The tagger learned PolNeAR's attributions, which include beliefs and plans
(`Pelosi believes`, `the government plans`); a quote is speech, so in a language whose cue verbs
``corpus/data/cues.json`` lists, the cue must be one of them, and elsewhere the tagger must be
surer. Its source is the speaker as written; the rules then resolve it within the article like
any other mention. A span that overlaps a quote the rules found is that quote: the rules keep it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from quotetrace.corpus.attribution.records import Quote
from quotetrace.corpus.attribution.tagger import Span
from quotetrace.corpus.lexicon import HAN, Language, language_resources

_MARKS = "\"'“”‘’«»„‚「」『』‹› "


@dataclass(frozen=True)
class TaggerOptions:
    # Tag every sentence with the shipped head, which reads the default encoder's token states
    enabled: bool = True
    min_probability: float = 0.6  # mean content probability of a span's tokens
    # the same where no cue list tells speech from belief: the tagger alone must be surer
    min_probability_without_cues: float = 0.75
    min_words: int = 4  # words of content (CJK: twice as many characters)
    # a tagged quote is kept only when the rules resolve its source to someone this surely (a name,
    # a surname, a pronoun, a role: not a description taken as written, `the data`, `most critics`)
    min_speaker_confidence: float = 0.6
    device: str = "auto"  # where the encoder runs: auto (CUDA when present), cpu, cuda, cuda:N
    precision: str = "fp32"  # or "int8" (the build's align stage must use the same)


@dataclass(frozen=True)
class _Run:
    """Content over one or more adjacent sentences (``first``..``last``, indices)."""

    start: int
    end: int
    probability: float
    first: int
    last: int


def _moved(span: Span, offset: int) -> Span:
    """A span of a sentence in article offsets."""
    return Span(span.label, offset + span.start, offset + span.end, span.probability)


def _content_runs(text: str, sentences: Sequence[tuple[int, int]], tagged: Sequence[list[Span]]) -> list[_Run]:
    """Content spans in article offsets, joined where one runs to its sentence's end and the next
    opens its sentence in the same paragraph (`"… wrong. We …," he said.`)."""
    runs: list[_Run] = []
    joinable = False  # the last run reached the end of its sentence
    for index, ((offset, end), spans) in enumerate(zip(sentences, tagged, strict=True)):
        contents = [_moved(s, offset) for s in spans if s.label == "CONTENT"]
        for span in contents:
            if joinable and span.start <= offset + 1 and "\n\n" not in text[runs[-1].end : span.start]:
                last = runs[-1]
                weights = (last.end - last.start, span.end - span.start)
                probability = (last.probability * weights[0] + span.probability * weights[1]) / max(sum(weights), 1)
                runs[-1] = _Run(last.start, span.end, probability, last.first, index)
            else:
                runs.append(_Run(span.start, span.end, span.probability, index, index))
            joinable = False
        joinable = bool(contents) and contents[-1].end >= end - 2
    return runs


def _frame(
    text: str, run: _Run, sentences: Sequence[tuple[int, int]], tagged: Sequence[list[Span]]
) -> tuple[list[Span], list[Span]]:
    """The cue and source spans in reach of a run: in the sentences it covers or, where those hold
    no cue, in the sentence just before or after in the same paragraph (`"I'm good," he said. "I
    think …"`, `… fatto. Possiamo …", ha detto.`)."""

    def spans_of(index: int, label: str) -> list[Span]:
        return [_moved(s, sentences[index][0]) for s in tagged[index] if s.label == label]

    covered = range(run.first, run.last + 1)
    cues = [c for i in covered for c in spans_of(i, "CUE")]
    if cues:
        return cues, [s for i in covered for s in spans_of(i, "SOURCE")]
    for index in (run.first - 1, run.last + 1):
        if not 0 <= index < len(sentences):
            continue
        between = text[min(sentences[index][1], run.start) : max(sentences[index][0], run.end)]
        if "\n\n" not in between:
            cues = spans_of(index, "CUE")
            if cues:
                return cues, spans_of(index, "SOURCE") + [s for i in covered for s in spans_of(i, "SOURCE")]
    return [], []


def _nearest(spans: list[Span], start: int, end: int) -> Span | None:
    outside = [s for s in spans if s.end <= start or s.start >= end]
    return min(outside, key=lambda s: start - s.end if s.end <= start else s.start - end, default=None)


def _words(text: str, cjk: bool) -> int:
    return len(text.replace(" ", "")) // 2 if cjk else len(text.split())


def _head(source: str, language: Language) -> str | None:
    """The one a source as written names: up to a relative pronoun (`Bortis who noted`), and of
    its comma-separated parts the first written as a name (`Yoni Freedhoff, medical director of
    …`, `Keeper of the Ruler's Seal, Syed Danial Syed Ahmad,`). None for a lone relative pronoun
    (`veteran MPs who say`: the tagger marked `who`, which stands for someone it did not mark)."""
    words = source.strip(_MARKS + ",.;:—–-").split()
    while words and language.cue_pattern.fullmatch(words[0][:1].lower() + words[0][1:]):
        words = words[1:]  # `Сказал Трамп`: the cue the tagger took into the source
    cut = next((i for i, w in enumerate(words) if w.casefold() in language.relatives), len(words))
    if cut == 0:
        return None
    parts = [p.strip(_MARKS + ".;:—–-") for p in re.split(r"[,，、]", " ".join(words[:cut]))]
    parts = [p for p in parts if p]
    named = [p for p in parts if all(w[:1].isupper() or not w[:1].isalpha() for w in p.split())]
    return (named or parts or [None])[0]


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``..``end`` widened to whole words (a span can begin or end inside a subword token);
    Han characters are words of their own (`它表示`: the source `它`, then the cue `表示`)."""

    def inside_word(a: str, b: str) -> bool:
        return a.isalnum() and b.isalnum() and not (HAN.match(a) or HAN.match(b))

    while 0 < start < len(text) and inside_word(text[start - 1], text[start]):
        start -= 1
    while 0 < end < len(text) and inside_word(text[end - 1], text[end]):
        end += 1
    return start, end


def _reports_speech(cue: str, content: str, after_cue: str, marked: bool, cue_first: bool, language: Language) -> bool:
    """Whether ``cue`` frames ``content`` as speech by the language's cue lists: a cue verb
    (`said`, `заявил`) or `according to`; a verb that also takes a plain object (`announced a plan`,
    `denied the report`) only after its content (`…, the team announced`) or before a complementizer
    or a quotation mark; no idiom that reports nothing (`claimed responsibility`: ``after_cue`` is
    the text from the cue on). The tagger has already told the addressee from the content
    (`told reporters …`), so a verb that takes one needs no complementizer."""
    if language.according_to.search(cue):
        return True
    verb = language.cue_pattern.search(cue) or language.cue_pattern.search(cue[:1].lower() + cue[1:])
    if verb is None or (language.not_speech is not None and language.not_speech.match(after_cue)):
        return False
    if _negated(cue, language):
        return False
    first = content.split(maxsplit=1)[0].casefold() if content.split() else ""
    plain_object = verb.group(0) in language.need_complementizer
    return marked or not cue_first or not plain_object or first in language.complementizers


def _negated(cue: str, language: Language) -> bool:
    """`did not say`, `declined to say`, `не сказал`, `未透露`: the content is what was not said."""
    if language.cjk:
        return any(word in cue for word in language.negations)
    words = cue.casefold().replace("’", "'").split()
    return any(w in language.negations or (w.endswith("n't") and "n't" in language.negations) for w in words)


def tagged_quotes(
    text: str,
    sentences: Sequence[tuple[int, int]],
    tagged: Sequence[list[Span]],
    taken: Sequence[tuple[int, int]],
    language_code: str | None,
    options: TaggerOptions = TaggerOptions(),
) -> list[Quote]:
    """Quotes of an article ``text`` the rules did not find (their spans are ``taken``), from the
    tagger's spans of each of its ``sentences`` (article offsets); speakers as written, unresolved."""
    language = language_resources(language_code)
    has_cues = language.code == language_code
    least = options.min_probability if has_cues else options.min_probability_without_cues
    quotes = []
    for run in _content_runs(text, sentences, tagged):
        if run.probability < least:
            continue
        for start, end in _untaken(run.start, run.end, taken, sentences):
            quote = _framed(text, start, end, run, sentences, tagged, language, has_cues, options)
            if quote is not None:
                quotes.append(quote)
    return quotes


def _untaken(
    start: int, end: int, taken: Sequence[tuple[int, int]], sentences: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """``start``..``end`` less the quotes the rules found (theirs come with their frame). What a
    rules' quote cuts off is kept only in whole sentences: the rest is its frame or a fragment
    (`MaRS director Adam Jagelewski.`, `. That is just a reality."`)."""
    pieces = [(start, end)]
    for a, b in sorted(taken):
        pieces = [part for s, e in pieces for part in ((s, min(e, a)), (max(s, b), e)) if part[1] > part[0]]
    if pieces == [(start, end)]:
        return pieces
    whole = []
    for s, e in pieces:
        inside = [(a, b) for a, b in sentences if a >= s - 1 and b <= e + 1]
        if inside:
            whole.append((max(s, inside[0][0]), min(e, inside[-1][1])))
    return whole


def _framed(
    text: str,
    start: int,
    end: int,
    run: _Run,
    sentences: Sequence[tuple[int, int]],
    tagged: Sequence[list[Span]],
    language: Language,
    has_cues: bool,
    options: TaggerOptions,
) -> Quote | None:
    """The quote of one piece of content, with the cue and source that frame it, or None."""
    start, end = _whole_words(text, start, end)
    content = text[start:end].strip(_MARKS + ",.;:")
    if _words(content, language.cjk) < options.min_words:
        return None
    cues, sources = _frame(text, run, sentences, tagged)
    cue = _nearest(cues, start, end)
    if cue is None:
        return None
    # the source that goes with the cue: nearest to it, outside the content
    source = _nearest([s for s in sources if s.end <= start or s.start >= end], cue.start, cue.end)
    cue_at = _whole_words(text, cue.start, cue.end)
    cue_text = text[slice(*cue_at)].strip()
    # no source: a subject the language leaves out (`Añadió que …`, `Ha aggiunto:`) or a quote
    # framed in the sentence before; the rules continue the previous speaker, as for `"…"` ¶ `"…"`
    source_at = _whole_words(text, source.start, source.end) if source else None
    mention = _head(text[slice(*source_at)], language) if source_at else None
    marked = text[start : start + 2].lstrip()[:1] in _MARKS.strip()
    before = text[max(0, start - 30) : start].split("\n")[-1].split()
    if before and before[-1].casefold().strip(",") in language.clause_openers:
        return None  # `When asked whether …, Lavrov answered`: what a clause opener opens frames the quote
    after_cue = text[cue_at[0] : cue_at[0] + 60]
    speech = _reports_speech(cue_text, content, after_cue, marked, cue_at[1] <= start, language)
    if (has_cues and not speech) or (source_at and (mention is None or not any(c.isalpha() for c in mention))):
        return None
    return Quote(
        start=start, end=end, text=content, kind="direct" if marked else "indirect",
        cue=cue_text, speaker_mention=mention,
        mention_start=source_at[0] + text[slice(*source_at)].find(mention) if source_at and mention else None,
        paragraph=text.count("\n\n", 0, start),
    )  # fmt: skip
