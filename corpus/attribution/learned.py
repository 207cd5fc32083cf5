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

from collections.abc import Sequence
from dataclasses import dataclass

from quotetrace.corpus.attribution.tagger import Span
from quotetrace.corpus.lexicon import Language, language_resources
from quotetrace.corpus.records import Quote

_MARKS = "\"'“”‘’«»„‚「」『』‹› "


@dataclass(frozen=True)
class TaggerOptions:
    # Tag every sentence with the shipped head (it needs the default encoder). Off by default until
    # the seeds, incremental and NTREX quote-link checks hold with it (see docs/quotes.md).
    enabled: bool = False
    min_probability: float = 0.6  # mean content probability of a span's tokens
    # the same where no cue list tells speech from belief: the tagger alone must be surer
    min_probability_without_cues: float = 0.75
    min_words: int = 4  # words of content (CJK: twice as many characters)
    overlap: float = 0.5  # of the shorter span: a tagged span this much inside a rules' quote is that quote
    # a tagged quote is kept only when the rules resolve its source to someone this surely (a name,
    # a surname, a pronoun, a role: not a description taken as written, `the data`, `most critics`)
    min_speaker_confidence: float = 0.6


@dataclass(frozen=True)
class _Run:
    """Content over one or more adjacent sentences, with the cue and source spans in reach."""

    start: int
    end: int
    probability: float
    cues: list[Span]
    sources: list[Span]


def _content_runs(sentences: Sequence[tuple[int, int]], tagged: Sequence[list[Span]]) -> list[_Run]:
    """Content spans in article offsets, joined where one runs to its sentence's end and the next
    opens its sentence; each with the cue and source spans of the sentences it covers."""
    runs: list[_Run] = []
    joinable = False  # the last run reached the end of its sentence
    for (offset, end), spans in zip(sentences, tagged, strict=True):
        moved = [Span(s.label, offset + s.start, offset + s.end, s.probability) for s in spans]
        cues = [s for s in moved if s.label == "CUE"]
        sources = [s for s in moved if s.label == "SOURCE"]
        contents = [s for s in moved if s.label == "CONTENT"]
        for span in contents:
            if joinable and span.start <= offset + 1:
                last = runs[-1]
                weights = (last.end - last.start, span.end - span.start)
                probability = (last.probability * weights[0] + span.probability * weights[1]) / max(sum(weights), 1)
                runs[-1] = _Run(last.start, span.end, probability, last.cues + cues, last.sources + sources)
            else:
                runs.append(_Run(span.start, span.end, span.probability, list(cues), list(sources)))
            joinable = False
        joinable = bool(contents) and contents[-1].end >= end - 2
    return runs


def _nearest(spans: list[Span], start: int, end: int) -> Span | None:
    outside = [s for s in spans if s.end <= start or s.start >= end]
    return min(outside, key=lambda s: start - s.end if s.end <= start else s.start - end, default=None)


def _words(text: str, cjk: bool) -> int:
    return len(text.replace(" ", "")) // 2 if cjk else len(text.split())


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``..``end`` widened to whole words (a span can begin or end inside a subword token)."""
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _reports_speech(cue: str, content: str, after_cue: str, marked: bool, language: Language) -> bool:
    """Whether ``cue`` frames ``content`` as speech by the language's cue lists, as the rules read
    them: a cue verb (`said`, `заявил`) or `according to`; a verb that also takes a plain object
    (`announced a plan`, `asked for comment`) only before a complementizer or a quotation mark; no
    idiom that reports nothing (`claimed responsibility`: ``after_cue`` is the text from the cue on)."""
    if language.according_to.search(cue):
        return True
    verb = language.cue_pattern.search(cue)
    if verb is None or (language.not_speech is not None and language.not_speech.match(after_cue)):
        return False
    needs_clause = verb.group(0) in language.need_complementizer or verb.group(0).casefold() in language.object_verbs
    first = content.split(maxsplit=1)[0].casefold() if content.split() else ""
    return marked or not needs_clause or first in language.complementizers


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
    for run in _content_runs(sentences, tagged):
        start, end = _whole_words(text, run.start, run.end)
        content = text[start:end].strip(_MARKS + ",.;:")
        if run.probability < least or _words(content, language.cjk) < options.min_words:
            continue
        if any(min(b, end) - max(a, start) >= options.overlap * min(b - a, end - start) for a, b in taken):
            continue
        cue, source = _nearest(run.cues, start, end), _nearest(run.sources, start, end)
        if cue is None or source is None:
            continue
        cue_at, source_at = _whole_words(text, cue.start, cue.end), _whole_words(text, source.start, source.end)
        cue_text, mention = text[slice(*cue_at)].strip(), text[slice(*source_at)].strip(_MARKS + ",.;:—–-")
        marked = text[start : start + 2].lstrip()[:1] in _MARKS.strip()
        speech = _reports_speech(cue_text, content, text[cue_at[0] : cue_at[0] + 60], marked, language)
        if (has_cues and not speech) or not any(c.isalpha() for c in mention):
            continue
        quotes.append(Quote(
            start=start, end=end, text=content, kind="direct" if marked else "indirect",
            cue=cue_text, speaker_mention=mention, mention_start=source_at[0] + text[slice(*source_at)].find(mention),
            paragraph=text.count("\n\n", 0, start),
        ))  # fmt: skip
    return quotes
