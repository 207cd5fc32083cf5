"""Speakers across the corpus: the names resolved in each article grouped into one speaker each.

Names are compared through transliteration (Лавров → Lavrov, Sergey → Sergei) and a consonant
skeleton that also matches Chinese renderings (拉夫罗夫 → la fu luo fu → lflf ← lavrov); people
who only share a surname stay apart unless context (a role) joins them. A title's names that the
body never mentions are flagged here too: the same comparison across spellings decides.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

from anyascii import anyascii

from quotetrace.corpus.attribution.names import (
    CYRILLIC,
    HAN_RUN,
    first_name_gender,
    names_an_organisation,
    romanized,
    same_part,
)
from quotetrace.corpus.attribution.people import people_in, role_keys
from quotetrace.corpus.lexicon import language_resources

_LATIN = re.compile(r"[\x00-\u024f\s·]+")


_SKELETON_CLASSES = str.maketrans({"v": "f", "w": "f", "r": "l", "b": "p", "d": "t", "g": "k", "q": "k", "c": "k",
                                   "j": "k", "z": "s"})  # fmt: skip


# Джайлз / Giles, Sturridge / Старридж, Maxine / Максін
_SKELETON_DIGRAPHS = (
    ("dzh", "j"),
    ("dg", "j"),
    ("x", "ks"),
    ("sch", "s"),
    ("sh", "s"),
    ("zh", "s"),
    ("ng", "n"),
    ("ph", "f"),
    ("h", ""),
)


@cache
def skeleton(name: str) -> str:
    """Consonants of the romanized name in broad classes: matches renderings across scripts
    (Lavrov, Лавров, 拉夫罗夫 → lflf)."""
    text = re.sub(r"[^a-z]", "", anyascii(name).casefold())
    for digraph, single in _SKELETON_DIGRAPHS:
        text = text.replace(digraph, single)
    classes = re.sub(r"[aeiouy]", "", text).translate(_SKELETON_CLASSES)
    return re.sub(r"(.)\1+", r"\1", classes)  # Calzadilla / Кальзадилья


@dataclass
class _Entry:
    name: str
    language: str | None
    roles: set[str]
    article_id: str


@dataclass(frozen=True)
class Speaker:
    speaker_id: str
    name: str
    aliases: list[str]
    languages: list[str]
    n_quotes: int


def resolve_corpus(entries: list[tuple[str, str | None, str | None, str]]) -> tuple[list[Speaker], dict[str, str]]:
    """Group resolved speaker names (name, language, role words, article_id) into speakers.

    Returns the speakers and a map from each name as written to its ``speaker_id``.
    """
    items = [_Entry(name, language, set((roles or "").split()), article) for name, language, roles, article in entries]
    by_surname: dict[str, list[_Entry]] = defaultdict(list)
    for item in items:
        by_surname[_surname_key(item.name)].append(item)
    for key, target in _same_surname_across_scripts(by_surname).items():
        by_surname[target].extend(by_surname.pop(key))
    for key, target in _han_name_ends(by_surname).items():
        by_surname[target].extend(by_surname.pop(key))
    groups: list[list[_Entry]] = []
    for key in sorted(by_surname):
        groups.extend(_split_by_first_name(by_surname[key]))
    speakers: list[Speaker] = []
    ids: dict[str, str] = {}
    for group in groups:
        names = Counter(item.name for item in group)
        titled = {item.name for item in group if _titled(item)}
        # a full Latin name, best one that opens with a known first name (not `Senatoren John Kennedy`),
        # not with a title (`Mr. Obama`, `President Obama`)
        canonical = max(names, key=lambda n: (
            len(n.split()) > 1, bool(_LATIN.fullmatch(n)), n not in titled, first_name_gender(n.split()[0]) is not None,
            names[n], len(n), n,
        ))  # fmt: skip
        speaker_id = hashlib.sha256(romanized(canonical).encode()).hexdigest()[:12]
        for name in names:
            ids[name] = speaker_id
        speakers.append(
            Speaker(
                speaker_id=speaker_id,
                name=canonical,
                aliases=sorted(names),
                languages=sorted({item.language for item in group if item.language}),
                n_quotes=len(group),
            )
        )
    return sorted(speakers, key=lambda s: (-s.n_quotes, s.name)), ids


def _han_name_ends(by_surname: dict[str, list[_Entry]]) -> dict[str, str]:
    """`气象局` and `国家气象局` within `美国国家气象局`: a Han name (three characters or more) that
    ends only one longer Han name, or a chain of them each ending the next, is that name shortened,
    as a bare surname is. Two unrelated longer names (`俄罗斯外交部`, `中国外交部`) leave it alone."""
    han = sorted((k for k in by_surname if HAN_RUN.fullmatch(k) and len(k) >= 3), key=len)
    merges = {}
    for i, key in enumerate(han):
        longer = [k for k in han[i + 1 :] if len(k) > len(key) and k.endswith(key)]
        if longer and all(longer[-1].endswith(k) for k in longer):
            merges[key] = longer[-1]
    return merges


def _same_surname_across_scripts(by_surname: dict[str, list[_Entry]]) -> dict[str, str]:
    """Surname keys written in another script (Трамп, Гайлз, 斯图里奇) mapped to the Latin key they
    render (trump, giles, sturridge): the one Latin key of the same consonant skeleton, or, for
    longer names, the one a single consonant away (Sturridge / Старридж, Walton / Уолтон).
    Keys in one script that no Latin key matches are joined to each other the same way (Russian
    Кальзадилья and Ukrainian Кальсадія). A near skeleton needs a first name that matches too;
    people who only share a surname are kept apart afterwards, by their first names."""
    written_in_latin = {
        key for key, entries in by_surname.items() if any(_LATIN.fullmatch(e.name.split()[-1]) for e in entries)
    }
    latin = _SkeletonIndex()
    for key in sorted(written_in_latin):
        if len(skeleton(key)) >= 2:
            latin.add(skeleton(key), key)
    firsts = {key: {g for e in entries for g in _given_names(e.name)} for key, entries in by_surname.items()}

    def same_first_name(key: str, target: str) -> bool:
        return any(_compatible(a, b) for a in firsts[key] for b in firsts[target])

    joined: dict[str, str] = {}
    for key in sorted(by_surname):
        if key in written_in_latin or len(skeleton(key)) < (3 if HAN_RUN.search(key) else 2):
            continue
        if HAN_RUN.search(key) and names_an_organisation(key, "zh"):
            continue  # `国家气象局` (an office, not a rendered name) sounds like no Latin name
        shape = skeleton(key)
        targets, near = latin.exact(shape), latin.near(shape)
        if firsts[key]:  # a first name picks among the candidates, and allows a near skeleton
            targets = [k for k in dict.fromkeys(targets + near) if same_first_name(key, k)] or [
                k for k in targets if not firsts[k]
            ]
        elif not targets and HAN_RUN.search(key):  # Chinese renderings are loose (特朗普 te-lang-pu, Trump)
            targets = near
        if len(targets) == 1:
            joined[key] = targets[0]
        elif not targets:
            latin.add(shape, key)  # a later key of another script may join this one
    return joined


class _SkeletonIndex:
    """Keys by consonant skeleton, looked up exactly or one letter away. One-letter deletions
    are indexed too, so a near lookup touches a handful of buckets, not every skeleton."""

    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = defaultdict(list)
        self._by_deletion: dict[str, set[str]] = defaultdict(set)

    def add(self, shape: str, key: str) -> None:
        self._keys[shape].append(key)
        for variant in _deletions(shape):
            self._by_deletion[variant].add(shape)

    def exact(self, shape: str) -> list[str]:
        return list(self._keys.get(shape, []))

    def near(self, shape: str, shortest: int = 3) -> list[str]:
        """Keys whose skeleton is one letter substituted, inserted or deleted away (both at least
        ``shortest`` letters long)."""
        if len(shape) < shortest:
            return []
        found = {s for variant in _deletions(shape) for s in self._by_deletion.get(variant, ())}
        return [k for s in sorted(found) if s != shape and len(s) >= shortest for k in self._keys[s]]


def _one_apart(a: str, b: str) -> bool:
    return bool(_deletions(a) & _deletions(b))


def _deletions(shape: str) -> set[str]:
    """The skeleton and every skeleton one letter shorter: two skeletons are one letter apart
    exactly when these sets meet (barring a swap of neighbours, which is close enough)."""
    return {shape} | {shape[:i] + shape[i + 1 :] for i in range(len(shape))}


def _surname_key(name: str) -> str:
    if HAN_RUN.fullmatch(name.replace("·", "")):
        return name.split("·")[-1]
    return romanized(name.split()[-1]) if name.split() else name


_DOMINANT = 0.75  # share of a surname's full-name mentions that makes its bearer the one a bare surname means


def _split_by_first_name(entries: list[_Entry]) -> list[list[_Entry]]:
    """One surname, several people? Full names with incompatible first names are different
    people; a bare surname joins the only full name, or the one whose roles it shares."""
    full: dict[str, list[_Entry]] = defaultdict(list)
    bare: list[_Entry] = []
    known_first = any(first_name_gender(g) for e in entries for g in _given_names(e.name))
    for entry in sorted(entries, key=lambda e: len(e.name.split())):  # the plainest names set the groups
        given = _given_names(entry.name)
        no_first_name = (
            not any(first_name_gender(g) for g in given)
            and not HAN_RUN.search(entry.name)
            and not all(_could_be_first_name(g, entry.language) for g in given)
        )
        if not given or _titled(entry) or (known_first and no_first_name):
            bare.append(entry)  # no first name (`Mr. Obama`), or words that are none beside a real one: `Сказал Трамп`
            continue
        # any given name may match: words before a name are sometimes not its part (`Джакарті Сутопо`)
        target = next((k for first in given for k in full if _compatible(k, first)), None)
        full[target or given[0]].append(entry)
    merged: dict[str, list[_Entry]] = {}
    for first in sorted(full, key=len, reverse=True):
        target = next((k for k in merged if _compatible(k, first)), None)
        if target:
            merged[target].extend(full[first])
        else:
            merged[first] = list(full[first])
    groups = list(merged.values())
    if not groups:
        return [bare] if bare else []
    leftovers: list[_Entry] = []
    if len(groups) == 1:
        return [groups[0] + bare]
    # per group, once: its role words, and its surname as written (`Puig` is Joan Puig, not Хоан Пуч)
    roles_of = [role_keys(r for e in g for r in e.roles) for g in groups]
    surnames_of = [{e.name.split()[-1] for e in g} for g in groups]
    genders_of = [next((first_name_gender(e.name.split()[0]) for e in g if _given_names(e.name)), None) for g in groups]
    for entry in bare:
        title = first_name_gender(entry.name.split()[0].rstrip(".")) if _titled(entry) else None  # Mr → m
        fits = [i for i, gender in enumerate(genders_of) if not title or not gender or title in gender]
        shared = [i for i in fits if entry.roles and role_keys(entry.roles) & roles_of[i]]
        spelled = [i for i in fits if entry.name.split()[-1] in surnames_of[i]]
        chosen = shared if len(shared) == 1 else spelled
        if len(chosen) != 1 and not shared and fits:
            # an article that never gives the first name means the one the news names most (`Trump`
            # is Donald Trump beside Eric and Ivanka), when that one holds most of the full names by far
            widest = max(fits, key=lambda i: len(groups[i]))
            chosen = [widest] if len(groups[widest]) >= _DOMINANT * sum(len(groups[i]) for i in fits) else chosen
        (groups[chosen[0]] if len(chosen) == 1 else leftovers).append(entry)
    return groups + ([leftovers] if leftovers else [])


def _titled(entry: _Entry) -> bool:
    """`Mr. Obama`, `President Obama`: only a title or a role before the surname."""
    given = _given_names(entry.name)
    roles = language_resources(entry.language).roles
    return bool(given) and all(g.casefold() in roles or g.casefold() + "." in roles for g in given)


@cache
def _could_be_first_name(word: str, language: str | None) -> bool:
    """`Dane` (Waters), `Khizr` (Khan): a capitalized Latin word that no list of first names knows,
    but no word that opens sentences (`Does Rubio`) or a role (`Former Trump`) either."""
    resources_ = language_resources(language)
    return (
        len(word) >= 3
        and word[:1].isupper()
        and word.isalpha()
        and bool(_LATIN.fullmatch(word))
        and word.casefold() not in resources_.openers | resources_.roles
    )


@cache
def _given_names(name: str) -> tuple[str, ...]:
    """The words before the surname, first one first (纳尔逊·曼德拉: 纳尔逊)."""
    return tuple(part.replace(".", "") for part in name.replace("·", " ").split()[:-1] if part.replace(".", ""))


@cache
def _compatible(a: str, b: str) -> bool:
    """First names of one person: equal once romanized, by consonant skeleton (Chad / Чед,
    Jordan / Джордан), or an initial."""
    a_key, b_key = romanized(a), romanized(b)
    if a_key == b_key or (len(b_key) == 1 and a_key.startswith(b_key)) or (len(a_key) == 1 and b_key.startswith(a_key)):
        return True
    if HAN_RUN.search(a + b):  # Chinese renderings are loose: 纳尔逊 na-er-xun, Nelson
        return min(len(skeleton(a)), len(skeleton(b))) >= 3 and _one_apart(skeleton(a), skeleton(b))
    return len(skeleton(a)) >= 2 and skeleton(a) == skeleton(b)


def same_person(a: str, b: str) -> bool:
    """Two spellings of one name, across scripts: the surnames agree once romanized (Lavrov,
    Лавров, Lawrow), by consonant skeleton (拉夫罗夫), or as inflected forms (Хаммела)."""
    if not a or not b:
        return False
    last_a, last_b = _surname(a), _surname(b)
    if romanized(last_a) == romanized(last_b) or same_part(last_a, last_b):
        return True
    if CYRILLIC.search(last_a + last_b):  # an inflected Cyrillic form against a Latin one
        short, long = sorted((romanized(last_a), romanized(last_b)), key=len)
        if len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short[:-1]):
            return True
    skeleton_a, skeleton_b = skeleton(last_a), skeleton(last_b)
    return len(skeleton_a) >= 3 and skeleton_a == skeleton_b


def _surname(name: str) -> str:
    parts = name.replace("·", " ").split()
    return parts[-1] if parts else name


def title_unsupported_names(title: str | None, text: str, language: str | None) -> list[str]:
    """Names the title makes a speaker (`Raevsky said …`) or names in full that no body sentence
    mentions, not even in another spelling: a garbled or wrong name is worth a flag."""
    if not title:
        return []
    resources_ = language_resources(language)
    candidates = [p.name for p in people_in(title, language)]
    for match in resources_.cue_pattern.finditer(title):
        tokens = re.findall(r"[^\W\d_][\w'’-]*", title[: match.start()])
        if tokens and tokens[-1][:1].isupper() and tokens[-1].casefold() not in resources_.pronouns:
            candidates.append(tokens[-1])
    if not candidates:
        return []
    body = {romanized(word) for word in re.findall(r"[^\W\d_][\w'’-]*", text)}
    body_text = text.casefold()
    unsupported = []
    for name in dict.fromkeys(candidates):
        surname = name.split()[-1]
        if surname.casefold() not in body_text and romanized(surname) not in body:
            unsupported.append(name)
    return unsupported
