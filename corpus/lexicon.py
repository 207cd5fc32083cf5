"""The curated language resources of ``corpus/data/`` compiled for quote and speaker rules:
cue verbs, `according to` phrases, pronouns, role words, name particles, articles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from quotetrace.corpus import resources

NAME_PARTICLES = {
    "de",
    "van",
    "von",
    "der",
    "den",
    "la",
    "le",
    "al",
    "bin",
    "da",
    "di",
    "del",
    "dos",
    "du",
    "des",
    "ter",
    "of",
}
# an organisation's or a person's name as written: capitalized words, and `of`, `and`, `for` between
# them (`Society of Motor Manufacturers and Traders`, `Procter & Gamble`)
NAME_RUN = r"[A-Z][\w&'’-]*(?:\s+(?:of\s+|and\s+|for\s+)?[A-Z][\w&'’-]*)*"

DETERMINERS = {
    "en": {"the", "a", "an", "his", "her", "its", "their", "our", "this", "that", "another", "one"},
    "de": {"der", "die", "das", "ein", "eine", "einer", "des"},
    "fr": {"le", "la", "les", "un", "une", "l'", "l’"},
    "es": {"el", "la", "los", "las", "un", "una"},
}
ARTICLES = {
    "en": {"the", "a", "an", "his", "her", "their"},
    "de": {"der", "die", "das", "ein", "eine"},
    "fr": {"le", "la", "les", "l'", "l’", "un", "une"},
    "es": {"el", "la", "los", "las", "un", "una"},
}
# Capitalized words that open sentences or clauses and are never part of a name (`But Gokool said`,
# `When asked`), and words of time (`said Friday`).
TIME_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "tonight",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "last",
        "this",
        "next",
        "earlier",
        "later",
    ]
)
NOT_A_NAME = TIME_WORDS | frozenset(
    [
        "unlike",  # sentence openers written capitalized before a name: `Unlike Al Mnajer, …`
        "like",
        "despite",
        "during",
        "without",
        "through",
        "among",
        "against",
        "amid",
        "toward",
        "towards",
        "upon",
        "whereas",
        "once",
        "even",
        "only",
        "just",
        "perhaps",
        "maybe",
        "previously",
        "however",
        "meanwhile",
        "but",
        "and",
        "so",
        "then",
        "now",
        "also",
        "when",
        "while",
        "if",
        "as",
        "the",
        "a",
        "an",
        "this",
        "that",
        "it",
        "in",
        "on",
        "at",
        "after",
        "before",
        "by",
        "for",
        "with",
        "why",
        "what",
        "how",
        "there",
        "here",
        "yes",
        "no",
        "asked",
        "according",
        "although",
        "though",
        "because",
        "since",
        "until",
        "unless",
        "whether",
        "where",
        "still",
        "yet",
        "instead",
        "indeed",
        "finally",
        "first",
        "second",
        "moreover",
        "furthermore",
        "besides",
        "under",
        "will",
        "from",
        "they",
        "we",
        "he",
        "she",
    ]
)
STOP_AFTER_SPEAKER = {
    "en": {"in", "on", "at", "during", "after", "before", "who", "which", "while", "when", "to", "for", "with",
           "as", "from", "last", "this", "earlier", "later", "told", "and", "but", "because", "adding", "noting",
           "saying", "is", "was", "are", "were", "has", "had", "will", "would", "now", "says", "said"},
}  # fmt: skip


@dataclass(frozen=True)
class Language:
    """The curated resources of one language, compiled."""

    code: str
    cue_pattern: re.Pattern[str]
    according_to: re.Pattern[str]
    object_verbs: frozenset[str]
    need_complementizer: frozenset[str]
    block_intro: frozenset[str]
    complementizers: frozenset[str]
    pronouns: frozenset[str]
    object_pronouns: frozenset[str]
    roles: frozenset[str]
    openers: frozenset[str]
    prepositions: frozenset[str]
    relatives: frozenset[str]  # `who`, `qui`: a source ends before one
    skip: frozenset[str]
    postposed: frozenset[str]
    clause_openers: frozenset[str]
    organisation_nouns: frozenset[str]  # the kinds among them too
    organisation_kinds: frozenset[str]
    document_nouns: frozenset[str]
    report_nouns: frozenset[str]  # the document nouns one report goes by
    not_speech: re.Pattern[str] | None  # `claimed responsibility`: a cue that reports nothing
    negations: frozenset[str]  # `did not say`, `declined to say`: a cue that says what was not said
    frame_words: frozenset[str]  # `in`, `am`, `gestern`: what may follow `…, X said` opens with one
    frame_after: re.Pattern[str] | None  # `in an interview`, `am Dienstag`: such a phrase to the end
    pro_drop: bool  # `"…", admitió.`: a cue with no subject still attributes, to the previous speaker
    reported_markers: frozenset[str]  # `sei`, `habe`: a sentence of its own that is reported speech
    split_particles: frozenset[str]  # `mit` of `teilte … mit`: may close the clause after the speaker
    fronted: frozenset[str]  # `Dazu`, `Im`: open a verb-second sentence; its subject follows the verb
    refers_back: re.Pattern[str] | None  # `Об этом сообщил`: attributes the sentence before to who follows
    opinion_marker: re.Pattern[str] | None  # `Pour le vice-président, …`: opens a sentence with whose view
    group_nouns: frozenset[str]  # `Republican`, `Democrats`, `消息人士`: a mention headed by one names nobody
    role_suffixes: frozenset[str]  # `mitglied`, `sprecher`: role nouns that end compounds
    caption_label: re.Pattern[str] | None  # `Foto:`, `Image:`: what opens a caption or a photo credit

    @property
    def cjk(self) -> bool:
        return self.code in {"zh", "ja"}


@cache
def language_resources(code: str | None) -> Language:
    cues = resources.load("cues")
    people = resources.load("people")
    code = code if code in cues else "en"
    table = cues[code]

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    def split_verbs(entries: list[str]) -> str:
        """`teilt` as a cue when `mit` closes its clause (`…, teilt das Pentagon mit.`)."""
        pairs = (entry.rsplit(" ", 1) for entry in entries)
        clause = r"[^.!?;:\"“”„«»]{1,120}?\s"  # the rest of the clause, up to the particle
        return "".join(rf"|{re.escape(verb)}(?={clause}{re.escape(particle)}(?![\w-]))" for verb, particle in pairs)

    bound = "" if code in {"zh", "ja"} else r"(?<![\w-])"
    captions = people["caption_labels"].get(code, []) + people["caption_labels"]["en"]
    end = "" if code in {"zh", "ja"} else r"(?![\w-])"
    return Language(
        code=code,
        # case-sensitive: `States` in `United States` is no cue; the lists hold verbs as written mid-sentence
        cue_pattern=re.compile(rf"{bound}(?:{alternation(table['verbs'])}{split_verbs(table['split_verbs'])}){end}"),
        according_to=re.compile(rf"{bound}(?:{alternation(table['according_to'])}){end}", re.IGNORECASE),
        object_verbs=frozenset(v.casefold() for v in table["object_verbs"]),
        need_complementizer=frozenset(table["need_complementizer"]),
        block_intro=frozenset(v.casefold() for v in table["block_intro"]),
        complementizers=frozenset(table["complementizers"]),
        pronouns=frozenset(people["pronouns"].get(code, [])),
        object_pronouns=frozenset(people["object_pronouns"].get(code, [])),
        roles=frozenset(people["roles"].get(code, [])) | frozenset(people["roles"]["en"]),
        openers=frozenset(people["openers"].get(code, [])),
        prepositions=frozenset(people["prepositions"].get(code, [])),
        relatives=frozenset(people["relatives"].get(code, [])),
        skip=frozenset(table["speaker_skip"]),
        postposed=frozenset(table["postposed"]),
        clause_openers=frozenset(table["clause_openers"]),
        organisation_nouns=frozenset(people["organisation_nouns"].get(code, []))
        | frozenset(people["organisation_kinds"].get(code, [])),
        organisation_kinds=frozenset(people["organisation_kinds"].get(code, [])),
        document_nouns=frozenset(people["document_nouns"].get(code, [])),
        report_nouns=frozenset(people["report_nouns"].get(code, [])),
        not_speech=re.compile(rf"(?:{alternation(table['not_speech'])}){end}") if table["not_speech"] else None,
        negations=frozenset(table["negations"]),
        frame_words=frozenset(table["frame_words"]),
        frame_after=re.compile(rf"\s*(?:{alternation(table['frame_words'])})\b[^,;:]*$", re.IGNORECASE)
        if table["frame_words"]
        else None,
        pro_drop=bool(table["pro_drop"]),
        reported_markers=frozenset(table["reported_markers"]),
        split_particles=frozenset(entry.rsplit(" ", 1)[1] for entry in table["split_verbs"]),
        opinion_marker=re.compile(rf"\s*(?:{alternation(table['opinion_markers'])}){end}")
        if table["opinion_markers"]
        else None,
        refers_back=re.compile(rf"\s*(?:{alternation(table['refers_back'])}){end}") if table["refers_back"] else None,
        fronted=frozenset(table["fronted"])
        | (
            frozenset(people["prepositions"].get(code, [])) | frozenset(table["frame_words"])
            if table["fronted"]
            else frozenset()
        ),
        group_nouns=frozenset(people["group_nouns"].get(code, [])),
        role_suffixes=frozenset(people["role_suffixes"].get(code, [])),
        caption_label=re.compile(rf"(?:{alternation(captions)})[ \t]*:[ \t]*") if captions else None,
    )


@cache
def han_function_characters() -> frozenset[str]:
    return frozenset(resources.load("people")["han_function"])


HAN = re.compile(r"[\u3400-\u9fff]")
_HAN_TIME = re.compile(
    r"(?:周[一二三四五六日天末]|星期[一二三四五六日天]|[今昨明前当]天|日前|近日|此前|[上下本]周|\d+日)+$"
)


def han_name(run: str, language: Language) -> str | None:
    """The name at the end of a run of Han characters: after the last role word or function
    character (`在`, `的`, `上`), two to eight characters long."""
    function = han_function_characters()
    for role in sorted((r for r in language.roles if HAN.match(r)), key=len, reverse=True):
        index = run.rfind(role)
        if index != -1 and index + len(role) < len(run):
            run = run[index + len(role) :]
    run = _HAN_TIME.sub("", run)  # `特朗普周三表示`: the day is not part of the name
    cut = max((i for i, char in enumerate(run) if char in function), default=-1)
    name = run[cut + 1 :]
    longest = 8 if "·" in name or "•" in name else 5  # 特朗普, 拉夫罗夫, 泽连斯基; 纳尔逊·曼德拉
    if not 2 <= len(name) <= longest:
        return None
    return name if _looks_like_han_name(name) else None


def _looks_like_han_name(name: str) -> bool:
    """A transliterated foreign name (·, or mostly transliteration characters) or a native name
    (a common family name and one or two characters more); not `什么词来` or `希腊坚持`."""
    people = resources.load("people")
    if "·" in name or "•" in name:
        return True
    if name[0] in people["han_surnames"] and len(name) <= 3:
        return True
    transliteration = sum(char in people["han_transliteration"] for char in name)
    return transliteration >= 0.75 * len(name)


# nouns that name a group of people, plural or not: `officials`, `police`, `staff`
GROUP_NOUNS = {"officials", "critics", "experts", "analysts", "residents", "police", "authorities", "protesters",
                "advocates", "economists", "researchers", "scientists", "investigators", "prosecutors", "lawyers",
                "doctors", "parents", "students", "teachers", "workers", "members", "organizers", "witnesses",
                "observers", "sources", "leaders", "chiefs", "opponents", "supporters", "activists",
                "voters", "forecasters", "staff", "employees", "families", "customers", "commentators"}  # fmt: skip


def plural_noun(word: str) -> bool:
    """An English plural noun as written (`executives`, `police`), not `business` or `status`."""
    return word in GROUP_NOUNS or (len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")))
