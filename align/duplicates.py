"""Cross-outlet duplicate quotes: the clusters of one statement seen in two or more outlets,
with every wording (what ``quotetrace duplicates`` prints)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

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

    @property
    def outlets(self) -> list[str]:
        return sorted({v.outlet or f"(article {v.article_id[:8]})" for v in self.variants})

    @property
    def languages(self) -> list[str]:
        return sorted({v.language or "?" for v in self.variants})


def statement_clusters(
    path: str | os.PathLike[str], speaker: str | None = None, min_outlets: int = 1
) -> list[DuplicateGroup]:
    """Every cluster of one statement with its wordings, biggest first; ``min_outlets`` keeps those
    seen in at least that many outlets (an unknown outlet counts as its own) and ``speaker`` those
    whose speaker name contains it (any case)."""
    rows = open_snapshot(path).query(_SQL).to_pylist()
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster_id"], []).append(row)
    groups = []
    for cluster_id, members in by_cluster.items():
        names = Counter(m["speaker_name"] or m["speaker"] for m in members if m["speaker_name"] or m["speaker"])
        name = names.most_common(1)[0][0] if names else None
        variants = [Variant(**{k: m[k] for k in Variant.__dataclass_fields__}) for m in members]
        group = DuplicateGroup(cluster_id, name, variants)
        if len(group.outlets) < min_outlets:
            continue
        if speaker and (name is None or speaker.casefold() not in name.casefold()):
            continue
        groups.append(group)
    groups.sort(key=lambda g: (-len(g.variants), g.cluster_id))
    return groups


def cross_outlet_duplicates(path: str | os.PathLike[str], speaker: str | None = None) -> list[DuplicateGroup]:
    """Clusters whose quotes come from at least two outlets: what ``quotetrace duplicates`` prints."""
    return statement_clusters(path, speaker, min_outlets=2)
