"""The records the quote and speaker rules pass between them: a quote found in an article, and a
person an article names."""

from __future__ import annotations

from dataclasses import dataclass, field

from quotetrace.corpus.attribution.names import first_name_gender


@dataclass
class Person:
    """A name introduced in an article, with the role words written around it."""

    name: str
    roles: set[str] = field(default_factory=set)
    positions: list[int] = field(default_factory=list)
    subject_positions: list[int] = field(default_factory=list)  # where the name opens a sentence
    quoted: bool = False  # an attribution names them in full: a person, whatever their first name
    # m or f from the pronoun that follows the name in a sentence it opens (`Mamadou Dia was on a
    # business trip … when he …`): the gender of a first name no list knows
    pronoun_gender: str | None = None

    @property
    def gender(self) -> str | None:
        """m, f or fm from the first name, else from a pronoun taking it up; None when neither tells."""
        known = first_name_gender(self.parts[0]) if len(self.parts) > 1 else None
        return self.pronoun_gender if self.pronoun_gender and known in (None, "fm") else known

    @property
    def likely_person(self) -> bool:
        return self.gender is not None or bool(self.roles) or self.quoted

    @property
    def parts(self) -> list[str]:
        return self.name.split() if " " in self.name else [self.name]


@dataclass
class Quote:
    """A quote in an article: offsets into its text, the speaker as written, and (once resolved) who."""

    start: int
    end: int
    text: str
    kind: str  # direct | indirect | mixed
    cue: str | None
    speaker_mention: str | None
    mention_start: int | None  # offset of the mention in the article text (for resolution)
    paragraph: int
    speaker: str | None = None
    speaker_role: str | None = None
    speaker_confidence: float | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # quoted parts, for joined quotes


@dataclass(frozen=True)
class QuoteOptions:
    # A quoted span shorter than this many words (CJK: 2× as many characters) is a fragment:
    # a term or scare quote, not a quote, unless an indirect frame makes it a mixed quote.
    min_direct_words: int = 4
    # An indirect quote's content must hold at least this many words.
    min_indirect_words: int = 3
    # How many paragraphs back a continuation quote may find its speaker.
    continuation_paragraphs: int = 2
