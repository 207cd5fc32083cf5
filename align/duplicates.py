"""Cross-outlet duplicate quotes: the clusters of one statement seen in two or more outlets,
with every wording (what ``quotetrace duplicates`` prints), how sure the links that join them are,
and the story they belong to."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow.parquet as pq

from quotetrace.corpus.snapshot import open_snapshot

_SQL = """
select c.cluster_id, q.quote_id, q.text, q.text_en, q.kind, q.language, q.speaker, q.speaker_id,
       s.name as speaker_name, a.article_id, a.outlet, a.published, a.title, a.url
from quote_clusters c
join quotes q using (quote_id)
join articles a using (article_id)
left join speakers s using (speaker_id)
order by c.cluster_id, a.published nulls last, a.outlet nulls last, q.quote_id
"""

# the weakest same-statement link inside each cluster: a cluster is as sure as its weakest join; a
# link read from aligned sentences of a translation (evidence = translation) counts as sure
_LINKS_SQL = """
select ca.cluster_id, min(case when l.evidence = 'translation' then 1.0 else l.probability end) as probability,
       min(l.story) as story
from quote_links l
join quote_clusters ca on ca.quote_id = l.quote_id_a
join quote_clusters cb on cb.quote_id = l.quote_id_b and cb.cluster_id = ca.cluster_id
where l.relation = 'same_statement'
group by ca.cluster_id
"""


@dataclass(frozen=True)
class Variant:
    quote_id: str
    text: str
    text_en: str | None
    kind: str
    language: str | None
    speaker: str | None
    article_id: str
    outlet: str | None
    published: date | None
    title: str | None
    url: str | None


@dataclass(frozen=True)
class DuplicateGroup:
    cluster_id: str
    speaker: str | None  # the cluster's known speaker (canonical name), if any
    variants: list[Variant]
    # the weakest same-statement link's, 1 for a rendering in aligned sentences (None: before schema 6)
    probability: float | None = None
    story_score: float | None = None  # the lowest story score of those links

    @property
    def story(self) -> str | None:
        """The story, as its earliest article's headline says it."""
        return next((v.title for v in self.variants if v.title), None)

    @property
    def outlets(self) -> list[str]:
        return sorted({v.outlet or f"(article {v.article_id[:8]})" for v in self.variants})

    @property
    def languages(self) -> list[str]:
        return sorted({v.language or "?" for v in self.variants})


def statement_clusters(
    path: str | os.PathLike[str], speaker: str | None = None, min_outlets: int = 1, min_probability: float = 0.0
) -> list[DuplicateGroup]:
    """Every cluster of one statement with its wordings, biggest first; ``min_outlets`` keeps those
    seen in at least that many outlets (an unknown outlet counts as its own), ``speaker`` those
    whose speaker name contains it (any case), ``min_probability`` those whose weakest link is at
    least that sure."""
    snapshot = open_snapshot(path)
    rows = snapshot.query(_SQL).to_pylist()
    sure: dict[str, tuple[float | None, float | None]] = {}
    if "probability" in pq.read_schema(snapshot.table_path("quote_links")).names:
        sure = {r["cluster_id"]: (r["probability"], r["story"]) for r in snapshot.query(_LINKS_SQL).to_pylist()}
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster_id"], []).append(row)
    groups = []
    for cluster_id, members in by_cluster.items():
        # a speaker the corpus knows (a name with a speaker_id) before one only described (`team`, `spokesman`)
        known = Counter(m["speaker_name"] for m in members if m["speaker_name"])
        names = known or Counter(m["speaker"] for m in members if m["speaker"])
        name = names.most_common(1)[0][0] if names else None
        variants = [Variant(**{k: m[k] for k in Variant.__dataclass_fields__}) for m in members]
        group = DuplicateGroup(cluster_id, name, variants, *sure.get(cluster_id, (None, None)))
        if len(group.outlets) < min_outlets or (min_probability and (group.probability or 0.0) < min_probability):
            continue
        if speaker and (name is None or speaker.casefold() not in name.casefold()):
            continue
        groups.append(group)
    groups.sort(key=lambda g: (-len(g.variants), g.cluster_id))
    return groups


def cross_outlet_duplicates(
    path: str | os.PathLike[str], speaker: str | None = None, min_probability: float = 0.0
) -> list[DuplicateGroup]:
    """Clusters whose quotes come from at least two outlets: what ``quotetrace duplicates`` prints."""
    return statement_clusters(path, speaker, min_outlets=2, min_probability=min_probability)
