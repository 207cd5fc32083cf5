"""Speakers carried across translations: a quote and its rendering in a translation say who spoke.

The corpus stage resolves each quote's speaker inside its own article; a machine translation often
loses the name (`他还表示`, `Ha aggiunto`) or garbles it (Lavrov → Raevsky), and then the quote and
its original carry different ``speaker_id``s or none. Quotes that render one another (same-statement
links read from aligned sentences of a translation or copy) form groups; when most of a group's
named quotes agree (two of them at least, or an original, unless the group is a pair), the quotes
with no speaker take that one, and a lone dissenting name gives way to a clear majority (a
translation's original counts twice). ``speaker_carried_from`` names the
quote the speaker came from, so every carried speaker can be checked against its source.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from quotetrace import schemas


@dataclass(frozen=True)
class Carried:
    speaker_ids: list[str | None]  # one per quote, in the quotes' order
    carried_from: list[str | None]  # the quote each carried speaker came from; None when not carried

    @property
    def count(self) -> int:
        return sum(source is not None for source in self.carried_from)

    def keep(self, rows: list[bool]) -> Carried:
        """The quotes ``rows`` marks, in order."""
        pairs = [(s, c) for s, c, k in zip(self.speaker_ids, self.carried_from, rows, strict=True) if k]
        return Carried([s for s, _ in pairs], [c for _, c in pairs])


def carry_speakers(
    quote_ids: list[str],
    article_ids: list[str],
    speaker_ids: list[str | None],
    renderings: Iterable[tuple[int, int]],
    originals: set[str],
) -> Carried:
    """Speakers for quotes (rows) joined by ``renderings`` (row pairs), ``originals`` being the
    articles known to be the original of a translation."""
    parent = list(range(len(quote_ids)))

    def root(row: int) -> int:
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = parent[row]
        return row

    neighbours: dict[int, set[int]] = defaultdict(set)
    for x, y in renderings:
        neighbours[x].add(y)
        neighbours[y].add(x)
        parent[root(x)] = root(y)
    groups: dict[int, list[int]] = defaultdict(list)
    for row in neighbours:
        groups[root(row)].append(row)
    ids, sources = list(speaker_ids), [None] * len(quote_ids)
    for members in groups.values():
        votes: Counter[str] = Counter()
        for row in members:
            if speaker_ids[row] is not None:
                votes[speaker_ids[row]] += 2 if article_ids[row] in originals else 1
        if not votes:
            continue
        (winner, most), *rest = votes.most_common()
        others = sum(weight for _, weight in rest)
        if most <= others or (most < 2 and len(members) > 2):
            continue  # no majority (two statements in one group, or a real disagreement), or one
            # rendering among many naming someone the rest leave unnamed: more likely a misreading
        for row in sorted(members):
            own = speaker_ids[row]
            if own == winner or (own is not None and (most < 2 * others or votes[own] > 1)):
                continue  # a name held by two renderings, or against a weak majority, stays
            ids[row], sources[row] = winner, quote_ids[_source(row, winner, members, neighbours, speaker_ids)]
    return Carried(ids, sources)


def _source(row: int, winner: str, members: list[int], neighbours: dict[int, set[int]], speakers: list) -> int:
    """The rendering the speaker is carried from: a direct neighbour holding it, else any member."""
    direct = sorted(n for n in neighbours[row] if speakers[n] == winner)
    return direct[0] if direct else min(m for m in members if speakers[m] == winner)


def recount_speakers(speakers: pa.Table, quotes: pa.Table) -> pa.Table:
    """``speakers`` with ``n_quotes`` and ``languages`` counted again from ``quotes``' speaker_ids,
    only those some quote still names: one count of speakers for the build, ``info`` and the report."""
    counts: Counter[str] = Counter()
    languages: dict[str, set[str]] = defaultdict(set)
    for speaker_id, language in zip(*(quotes.column(c).to_pylist() for c in ("speaker_id", "language")), strict=True):
        if speaker_id is not None:
            counts[speaker_id] += 1
            if language:
                languages[speaker_id].add(language)
    rows = [  # a speaker whose every quote went to the name its rendering gives is no longer quoted
        row | {"n_quotes": counts[row["speaker_id"]], "languages": sorted(languages[row["speaker_id"]])}
        for row in speakers.to_pylist()
        if counts[row["speaker_id"]]
    ]
    rows.sort(key=lambda r: (-r["n_quotes"], r["name"]))
    return schemas.validate(pa.Table.from_pylist(rows, schema=speakers.schema), "speakers")


def uncarried_speaker_ids(quotes: pa.Table, speakers: pa.Table) -> list[str | None]:
    """The corpus stage's speaker_ids of ``quotes``, as they were before any was carried: a quote's
    own resolved name looked up among the speakers' aliases."""
    columns = (speakers.column(c).to_pylist() for c in ("speaker_id", "aliases"))
    id_of = {alias: speaker_id for speaker_id, aliases in zip(*columns, strict=True) for alias in aliases}
    if "speaker_carried_from" not in quotes.column_names:
        return quotes.column("speaker_id").to_pylist()
    rows = (quotes.column(c).to_pylist() for c in ("speaker_id", "speaker", "speaker_carried_from"))
    return [
        speaker_id if carried is None else id_of.get(speaker) if speaker else None
        for speaker_id, speaker, carried in zip(*rows, strict=True)
    ]
