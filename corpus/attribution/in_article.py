"""Speakers within an article: a mention as written (`he`, `Lavrov`, `the Russian president`)
resolves to a full name introduced in the text (`Russian President Vladimir Putin`): surnames by
name-part match, pronouns to the nearest preceding speaker or person, role phrases by the role
words seen with each name, descriptions of organisations and documents to who stands behind them
(``organisations``); a confidence says which way it went."""

from __future__ import annotations

import bisect
import re
from functools import cache

from quotetrace.corpus import resources
from quotetrace.corpus.attribution.mentions import LEADING_ARTICLE, clean_mention
from quotetrace.corpus.attribution.names import HAN_RUN, first_name_gender, han_mention_name, same_part
from quotetrace.corpus.attribution.organisations import (
    capitalized_mid_sentence,
    issuer_just_quoted,
    issuer_named_before,
    issuer_of,
    organisation_referred_to,
    spelled_out,
)
from quotetrace.corpus.attribution.people import (
    PRONOUN_GENDER,
    family_name,
    last_before,
    people_in,
    person_tokens,
    role_keys,
    split_roles,
)
from quotetrace.corpus.attribution.records import Person, Quote
from quotetrace.corpus.attribution.tokens import INITIALISM
from quotetrace.corpus.lexicon import HAN, NOT_A_NAME, Language, language_resources, plural_noun

_FULL_NAME, _SURNAME, _PRONOUN, _ROLE, _CONTINUED, _AS_WRITTEN, _DESCRIBED = 0.95, 0.85, 0.7, 0.6, 0.6, 0.5, 0.45


def resolve_in_article(text: str, quotes: list[Quote], language: str | None, continuation_paragraphs: int = 2) -> None:
    """Fill ``speaker``, ``speaker_role`` and ``speaker_confidence`` of ``quotes`` in place."""
    people = people_in(text, language)
    resources_ = language_resources(language)

    @cache
    def mid_sentence() -> frozenset[str]:  # only articles that say `the company` need it
        return capitalized_mid_sentence(text)

    def organisation(described_as: str, quote: Quote, position: int) -> str | None:
        """The organisation `the company` stands for, named before the quote (a name inside it,
        `"We're working with Apple"`, is its topic), in full where the article spells it out."""
        named_by = min(position, quote.start)
        found = organisation_referred_to(text, described_as, named_by, people, resources_, mid_sentence)
        return found and (spelled_out(found, text) or found)

    previous: Quote | None = None
    for quote in sorted(quotes, key=lambda q: q.start):
        if quote.kind == "block_intro":
            continue
        mention = quote.speaker_mention
        person: Person | None = None
        confidence = None
        if mention is not None and len(mention.strip(". ")) <= 1 and mention.casefold() not in resources_.pronouns:
            quote.speaker = quote.speaker_role = quote.speaker_confidence = None
            continue  # `as F said`: a name a scrape cut to its first letter
        mention = _as_spoken(mention, resources_) if mention is not None else None
        if mention is None:
            introduced = _introduced_since(people, previous, quote)
            if introduced is not None:  # `Ben Myers, president of …, says …` ¶ `"…"`: the newly named person
                quote.speaker, quote.speaker_role = introduced.name, " ".join(sorted(introduced.roles)) or None
                quote.speaker_confidence = _CONTINUED
            elif previous and previous.speaker and quote.paragraph - previous.paragraph <= continuation_paragraphs:
                quote.speaker, quote.speaker_role = previous.speaker, previous.speaker_role
                quote.speaker_confidence = round(_CONTINUED * (previous.speaker_confidence or 1.0), 3)
            elif quote.cue and resources_.pro_drop:  # `"…", admitió.`: whom the verb's left-out subject is
                implied = _pronoun_antecedent(text, people, previous, quote, quote.start, "", resources_.roles)
                if implied is not None:
                    quote.speaker, quote.speaker_confidence = implied.name, _PRONOUN
                    quote.speaker_role = " ".join(sorted(implied.roles)) or None
            previous = quote if quote.speaker else previous
            continue
        position = quote.mention_start if quote.mention_start is not None else quote.start
        issuer = (
            issuer_of(mention, resources_)
            or issuer_named_before(text, mention, position, resources_)
            or issuer_just_quoted(mention, previous, quote, resources_)
        )
        if issuer is not None:  # `Foster’s book says`: Foster speaks through it
            mention = issuer
        if mention.casefold() in resources_.pronouns or mention.casefold() in resources_.object_pronouns:
            person = _pronoun_antecedent(text, people, previous, quote, position, mention, resources_.roles)
            confidence = _PRONOUN
            if person is None and mention.casefold() == "it":  # `EDC declined to answer … “…,” it said`
                named = organisation("the organisation", quote, position)  # what `it` stands for, if anyone
                if named is not None:
                    quote.speaker, quote.speaker_confidence = named, _DESCRIBED
        elif _is_role_phrase(mention, resources_):
            person = None if _someone_unnamed(mention, resources_) else _by_role(people, mention, position)
            if person is None and _indefinite(mention):  # a lede, named next
                person = _by_role([p for p in people if p.positions and p.positions[0] > position], mention, position)
            if person is not None and _unnamed_since(text, mention, position, last_before(person.positions, position)):
                person = None  # `a justice official said …` ¶ `The justice official told …`: that one again
            confidence = _ROLE
            named = organisation(mention, quote, position) if person is None else None
            if person is None and named is not None:
                quote.speaker, quote.speaker_confidence = named, _DESCRIBED
            elif person is None and _describes_a_person(mention, resources_):
                # `the 26-year-old right wing`: someone named just before, in other words
                likely = [p for p in people if p.likely_person]
                person = _nearest_subject_before(likely, position) or _nearest_before(likely, position)
                confidence = _DESCRIBED
            if person is None and named is None:  # `The Times`, `his office`, `the union`: as written
                quote.speaker, quote.speaker_confidence = clean_mention(mention), _AS_WRITTEN
        else:
            person, confidence = _by_name(people, mention, resources_.roles)
            if person is not None and confidence == _FULL_NAME:
                person.quoted = True  # `Babatunji Farinloye, 50, says`: whom `he` may stand for next
            if person is None:
                written = clean_mention(mention)
                quote.speaker = spelled_out(written, text) or written  # `IRCC` → its full name
                quote.speaker_confidence = _AS_WRITTEN
        if person is not None:
            quote.speaker, quote.speaker_confidence = person.name, confidence
            quote.speaker_role = " ".join(sorted(person.roles)) or None
        if issuer is not None and quote.speaker_confidence is not None:
            quote.speaker_confidence = min(quote.speaker_confidence, _DESCRIBED)
        previous = quote if quote.speaker else previous
    _lengthen_han_names(quotes)


def _lengthen_han_names(quotes: list[Quote]) -> None:
    """`气象局` where the article's other quotes name `美国国家气象局`: a Han speaker that ends
    exactly one longer speaker of the same article is that one, shortened (as a bare surname is)."""
    names = {q.speaker for q in quotes if q.speaker and HAN_RUN.fullmatch(q.speaker)}
    for quote in quotes:
        if quote.speaker in names:
            longer = [n for n in names if len(n) > len(quote.speaker) and n.endswith(quote.speaker)]
            if len(longer) == 1:
                quote.speaker = longer[0]


def _as_spoken(mention: str, resources_: Language) -> str | None:
    """The mention less a caption label (`Image: Mr McLaren's fiancee`); None for a heading in
    capitals (`ZUM THEMA sagte er`): the sentence's subject is elsewhere, as if none were written."""
    if resources_.caption_label is not None:
        label = resources_.caption_label.match(mention)
        mention = mention[label.end() :] if label else mention
    if HAN.search(mention):
        mention = han_mention_name(mention) or mention  # `兼首席执行官弗兰克·德贝里` → 弗兰克·德贝里
    found = mention.split()
    if len(found) >= 2 and all(w.isupper() and len(w) >= 3 and not INITIALISM.fullmatch(w) for w in found):
        return None
    return mention or None


@cache
def _indefinites() -> tuple[frozenset[str], tuple[str, ...]]:
    """Indefinite articles of every language (a speaker is one whatever the article's language):
    words, and the Han prefixes (`一位`)."""
    words = {w for per_language in resources.load("people")["indefinites"].values() for w in per_language}
    return frozenset(w for w in words if not HAN.match(w)), tuple(w for w in words if HAN.match(w))


def _indefinite(mention: str) -> bool:
    """`a Welsh Conservative`, `un responsable`, `一位威尔士保守党人士`: someone the mention does not name."""
    words, prefixes = _indefinites()
    first = mention.split(maxsplit=1)[0].casefold() if mention.split() else ""
    return first in words or mention.startswith(prefixes)


def _someone_unnamed(mention: str, resources_: Language) -> bool:
    """`a veteran Boston-based engineer said`, `justice officials said`, `the bank said`: someone the
    article has not named (an indefinite or plural description), or an organisation, however
    near a named engineer, official or bank president stands. (`A Vancouver hockey coach says …`
    opening a story may still be named after.)"""
    words = _head_phrase(mention.split())
    head = words[-1].casefold()
    return (
        _indefinite(mention)
        or head in resources_.organisation_nouns
        or (head not in resources_.roles and head.endswith("s") and head.rstrip("s") in resources_.roles)
    )


def _unnamed_since(text: str, mention: str, position: int, named_at: int) -> bool:
    """`The justice official told …` after `a justice official said …`: the definite description
    takes up the unnamed person introduced since the named one was last mentioned."""
    introduced = _introduced_unnamed(mention.split()[-1])
    return any(named_at < found.start() for found in introduced.finditer(text, max(0, named_at), position))


@cache
def _introduced_unnamed(head: str) -> re.Pattern[str]:
    """`a justice official`, `another senior official`: someone brought in by description."""
    return re.compile(rf"\b(?:[Aa]n?|[Aa]nother)\s+(?:[\w'’-]+\s+){{0,3}}{re.escape(head)}\b")


_AGE = re.compile(r"\b\d{1,3}-year-old\b")


def _describes_a_person(mention: str, resources_: Language) -> bool:
    """A definite description that gives an age (`the 32-year-old labourer`) or an epithet (`the
    bow-tied maverick`, `the lanky, bespectacled professor`): someone the article has just named.
    Not `the company`, and not a bare function (`the official`, often an unnamed source)."""
    words = mention.split()
    if words[0].casefold() != "the":
        return False
    if _AGE.search(mention):
        return True
    words = _head_phrase(words)
    epithet = any("-" in w[1:-1] for w in words[1:-1]) or "," in mention
    head = words[-1].casefold()
    return epithet and not head.endswith("s") and head not in resources_.organisation_nouns


def describes_a_function(mention: str, language: str | None) -> bool:
    """`senior police officer`, `le bourgmestre de la Ville de Bruxelles`, `die Syrische
    Beobachtungsstelle`: a short description headed by a role or an organisation noun, someone
    even when the article never names them; not `die Reise`, `last few days`, `la proposition`."""
    resources_ = language_resources(language)
    if ":" in mention or any(c.isdigit() for c in mention):
        return False
    words = [w.strip("\"'“”«»()") for w in mention.split()]
    words = [w for w in words if w]
    if not words or len(words) > 8:
        return False
    bodies = resources_.organisation_nouns
    functions = [
        i for i, w in enumerate(words)
        if split_roles([w], resources_.roles)[1] or (key := w.casefold()) in bodies
        or key.removesuffix("s") in resources_.roles | bodies
    ]  # fmt: skip
    # what follows the last function word names whose it is (`de la CENI`), or nothing does: not
    # the rest of a clause the source ran into (`spokesman went on to`, `dem SPD-Chef sollte`)
    after = words[functions[-1] + 1 :] if functions else []
    return bool(functions) and (not after or any(w[:1].isupper() for w in after))


def _head_phrase(words: list[str]) -> list[str]:
    """`the former sergeant-at-arms of the House of Commons` → `the former sergeant-at-arms`: the
    description up to the organisation it belongs to."""
    return words[: words.index("of")] if "of" in words[2:] else words


def is_proper_name(mention: str, language: str | None = None) -> bool:
    """Every word after an article is capitalized (or Han), and no role, group or document noun
    heads it: a person or an organisation, not a description (`his office`, `union`, `Wisconsin
    Republican`, `Nationalversammlungsmitglied`, `报道`); only such speakers get a corpus-wide
    ``speaker_id``."""
    if _indefinite(mention):
        return False
    small = {"the", "a", "an", "of", "on", "for", "and", "&", "de", "der", "la", "le"}  # `Institute on Drug Abuse`
    words = mention.split()
    content = [w for w in words if w.casefold() not in small]
    if not content or not all(w[:1].isupper() or HAN_RUN.match(w) for w in content):
        return False
    resources_ = language_resources(language)
    if len(words) > 2 and words[1].casefold() in {"of", "der", "des"} and _describes(words[0], resources_):
        return False  # `Mitglied der Welsh Conservative Party`, `Secretary of State`: a post, not who holds it
    after_connector = len(words) > 2 and words[-2].casefold() in {"of", "de", "der", "for", "on", "and", "&"}
    return after_connector or not _describes(words[-1], resources_)


def _describes(head: str, resources_: Language) -> bool:
    """A name's last word that makes it a description: a role (`AM`, `Attorney General`), a group
    (`Democrats`), a compound ending in a role (`Polizeisprecher`), a document (`报道`). After `of`
    it names an organisation (`Ministry of Defence`), so the caller leaves that alone."""
    word = head.casefold().rstrip(".")
    if HAN_RUN.fullmatch(word):
        nouns = resources_.group_nouns | resources_.document_nouns | resources_.report_nouns
        return any(word.endswith(noun) for noun in nouns if HAN_RUN.match(noun))
    nouns = resources_.roles | resources_.group_nouns
    return (
        word in nouns
        or (word.endswith("s") and word[:-1] in resources_.group_nouns)
        or any(word.endswith(suffix) for suffix in resources_.role_suffixes)
    )


def _is_role_phrase(mention: str, resources_: Language) -> bool:
    """`the Russian president`, `Russian leader`; not `the Kenya Red Cross` (a name: no role word)."""
    words = mention.split()
    first, last = words[0].casefold(), words[-1].casefold()
    if first in {"the", "a", "an", "der", "die", "le", "la", "el"}:
        return not is_proper_name(mention) or any(w.casefold() in resources_.roles for w in words[1:])
    return last in resources_.roles and " " in mention


def _by_name(people: list[Person], mention: str, roles: frozenset[str]) -> tuple[Person | None, float | None]:
    mention = re.sub(r"['’]s$", "", mention)
    parts, _ = split_roles(mention.split(), roles)
    person = parts[: parts.index("of")] if "of" in parts[2:] else []
    if person and (len(person) == 2 or first_name_gender(person[0])) and person_tokens(person):
        parts = person  # `Jingyi Pan of IG`: the person, not the firm (not `Animal Protection Services of …`)
    if not parts:
        return None, None
    mention = " ".join(parts)
    exact = [p for p in people if p.name == mention]
    if exact:
        return exact[0], _FULL_NAME
    if HAN_RUN.fullmatch(mention):
        containing = [p for p in people if mention in p.name or p.name in mention]
        return (max(containing, key=lambda p: len(p.positions)), _SURNAME) if containing else (None, None)
    containing = [p for p in people if _names_match(p.parts, parts)]
    if containing:
        return max(containing, key=lambda p: (len(p.positions), len(p.name))), _FULL_NAME if len(
            parts
        ) > 1 else _SURNAME
    if len(parts) >= 2 and all(p[:1].isupper() for p in parts) and not LEADING_ARTICLE.match(mention):
        return Person(mention), _FULL_NAME  # a name nobody else in the article bears; `The X` is an organisation
    return None, None


def _names_match(person: list[str], mention: list[str]) -> bool:
    """A mention names a person: its parts end the person's name, or its one part is one of it."""
    if _same_parts(person[-len(mention) :], mention):
        return True
    return len(mention) == 1 and any(same_part(part, mention[0]) for part in person)


def _same_parts(a: list[str], b: list[str]) -> bool:
    return len(a) == len(b) and all(same_part(x, y) for x, y in zip(a, b, strict=True))


def _introduced_since(people: list[Person], previous: Quote | None, quote: Quote) -> Person | None:
    """A person (known first name or role) who opened a sentence after the previous quote and
    before this one, within 400 characters: news introduces a new speaker, then quotes them."""
    after = previous.end if previous is not None else 0
    best, best_at = None, -1
    for person in people:
        if not person.likely_person:
            continue
        at = last_before(person.subject_positions, quote.start)
        at = at if at >= after else -1
        if at > best_at:
            best, best_at = person, at
    if best is None or quote.start - best_at > 400:
        return None
    if previous is not None and previous.speaker == best.name:
        return None
    return best


def _pronoun_antecedent(
    text: str,
    people: list[Person],
    previous: Quote | None,
    quote: Quote,
    position: int,
    pronoun: str,
    roles: frozenset[str],
) -> Person | None:
    """The person a pronoun stands for: the previous quote's speaker when it is a person of the
    pronoun's gender and nobody of that gender was named since; else the nearest preceding such
    person (a known first name of that gender beats an unknown one)."""
    mention = pronoun.casefold()
    wanted = PRONOUN_GENDER.get(mention)
    if wanted is None and mention in {"they", "it", "them", "они", "вони", "ils", "elles", "ellos", "他们"}:
        group = _plural_subject_before(text, position) if mention in {"they", "them"} else None
        if group is not None:  # `Republican senators are eager …, and they say`
            return Person(group)
        if previous and previous.speaker and quote.paragraph - previous.paragraph <= 2:
            person = next((p for p in people if p.name == previous.speaker), None) or Person(previous.speaker)
            return None if mention == "it" and person.gender else person  # `it` is no Jane or John
        return None

    def agrees(person: Person) -> bool:
        return wanted is None or person.gender is None or wanted in person.gender

    candidates = [p for p in people if p.likely_person and agrees(p)]
    known = [p for p in candidates if p.gender]
    nearest = (
        _nearest_subject_before(known, position)
        or _nearest_before(known, position)
        or _nearest_before(candidates, position)
    )
    # `… for Mississauga accountant Babatunji Farinloye, 50. “…,” he says`: someone whose first name
    # tells no gender, named with a role just before, since the last attribution and after anyone else
    since = previous.end if previous is not None else 0
    unknown = _nearest_before([p for p in candidates if p.gender is None and (p.roles & roles or p.quoted)], position)
    unknown_at = last_before(unknown.positions, position) if unknown is not None else -1
    nearest_at = last_before(nearest.positions, position) if nearest else -1
    if position - unknown_at < 250 and unknown_at > max(since, nearest_at):
        nearest = unknown
    if previous and previous.speaker and quote.paragraph - previous.paragraph <= 2 and is_proper_name(previous.speaker):
        speaker_person = next((p for p in people if p.name == previous.speaker), None)
        if speaker_person is None and _one_name(previous):
            speaker_person = Person(previous.speaker)  # `Na'moks said`: a speaker named by one name only
        elif speaker_person is None and previous.speaker_confidence == _FULL_NAME:
            speaker_person = Person(previous.speaker, quoted=True)  # named in full by the attribution
        elif speaker_person is None or not agrees(speaker_person) or not speaker_person.likely_person:
            return nearest
        previous_at = previous.mention_start if previous.mention_start is not None else previous.start
        if nearest is None or nearest.name == speaker_person.name:
            return speaker_person
        # named since the previous attribution, outside what was quoted: a person named inside a
        # statement (`his father's friend, Martin Legere, gave …`) is its topic, not the next speaker
        named_since = [
            at
            for at in nearest.positions
            if previous_at < at < position
            and not previous.start <= at < previous.end
            and not previous_at < at < previous.start  # `Roman, who operates tours to Anak Krakatau, said`
            and not _possessive_at(text, at)  # `Greenspan’s name … on Child’s phone`: no new speaker
        ]
        if not named_since:
            return speaker_person
        # `… Olazabal sent to Poulter …`: the previous speaker, named again after them, is nearer still
        again = re.compile(rf"(?<![\w'’-]){re.escape(family_name(speaker_person.parts))}(?![\w-])")
        named_again = again.finditer(text, max(named_since) + 1, position)
        return speaker_person if any(not _possessive_at(text, m.start()) for m in named_again) else nearest
    return nearest


_POSSESSIVE_NAME = re.compile(r"(?:[A-ZÀ-ÖØ-Þ][\w-]*[ \t]+){0,3}[A-ZÀ-ÖØ-Þ][\w-]*['’]s?(?![\w'’])")


def _possessive_at(text: str, at: int) -> bool:
    """The name mentioned at ``at`` is a possessive (`Child’s kitchen`): someone talked about."""
    return bool(_POSSESSIVE_NAME.match(text, at))


# a plural noun phrase opening a sentence or a clause, then its verb: `several auto-industry
# executives have warned`, `The Conservatives believe`, `, and Republican senators are eager`
_PLURAL_SUBJECT = re.compile(  # the shortest phrase before a verb, looked ahead: a non-plural hides no later one
    r"(?:(?<=[.;!?]\s)|(?<=\n)|(?<=\band\s)|(?<=\bbut\s))"
    r"(?=((?:[A-Za-z][\w’'-]*\s+){0,3}?[A-Za-z][\w’'-]*)"
    r"\s+(?:also\s+|still\s+)?(?:have|had|are|were|say|said|believe|argue|warn|[a-z]+ed)\b)"
)


def _plural_subject_before(text: str, position: int, window: int = 250) -> str | None:
    """The plural noun phrase that was last the subject of a clause just before a `they`: a group
    the article does not name (`several auto-industry executives have warned … They say …`)."""
    found = None
    for match in _PLURAL_SUBJECT.finditer(text, max(0, position - window), position):
        words = match.group(1).split()
        first = words[0].casefold()
        if first in {"they", "we", "their", "these", "those"} or (first in NOT_A_NAME and first != "the"):
            continue
        if not plural_noun(words[-1].casefold()):
            continue
        found = clean_mention(match.group(1))
    return found


def _one_name(quote: Quote) -> bool:
    """The quote's speaker is a name of one word, as written (`Na'moks`, `Mulder`): a person the
    article names without a first name, so no gender or role can vouch for it."""
    speaker = quote.speaker or ""
    return (
        quote.speaker_confidence == _AS_WRITTEN
        and not LEADING_ARTICLE.match(quote.speaker_mention or "")  # `the Globe` is no one's name
        and " " not in speaker
        and speaker[:1].isupper()
        and not speaker.isupper()
    )


def _nearest_subject_before(people: list[Person], position: int, window: int = 600) -> Person | None:
    """The person who last opened a sentence, if recently: the likeliest antecedent of `he`."""
    best, best_at = None, -1
    for person in people:
        at = last_before(person.subject_positions, position)
        if at > best_at:
            best, best_at = person, at
    return best if best is not None and position - best_at <= window else None


def _nearest_before(people: list[Person], position: int) -> Person | None:
    best, best_at = None, -1
    for person in people:
        at = last_before(person.positions, position)
        if at > best_at:
            best, best_at = person, at
    return best


def _by_role(people: list[Person], mention: str, position: int) -> Person | None:
    wanted = role_keys(w for w in mention.split()[1:] if w.casefold() not in {"the", "a", "an"}) or role_keys(
        mention.split()
    )
    written = {w.casefold().strip(".,")[:5] for w in mention.split()}
    best, best_key = None, (0, 0, False, 0)
    for person in people:
        if not person.roles:
            continue
        overlap = len(wanted & role_keys(person.roles))
        # the role as written beats a synonym: `the prime minister` is Trudeau, not Premier Ford
        exact = len(written & {r.casefold()[:5] for r in person.roles})
        previous_at = last_before(person.positions, position)
        following = bisect.bisect_left(person.positions, position)
        next_at = person.positions[following] if following < len(person.positions) else None
        distance = min(position - previous_at if previous_at >= 0 else 10**9, next_at - position if next_at else 10**9)
        before = previous_at >= 0
        key = (exact, overlap, before, -distance)
        if overlap and (before or distance < 1500) and key > best_key:
            best, best_key = person, key  # named before, or introduced right after (`the WHL commissioner` …)
    return best
