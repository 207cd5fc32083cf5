"""What a snapshot holds, in a few figures: the library side of ``quotetrace info``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from quotetrace.corpus.snapshot import open_snapshot


def counted(n: int, noun: str) -> str:
    """`1 quote`, `2 quotes`: a summary line reads as English whatever the count."""
    return f"{n} {noun if n == 1 else noun + 's'}"


@dataclass(frozen=True)
class SnapshotSummary:
    path: str
    schema_version: int
    quotetrace_version: str
    created_at: str
    inputs: int
    rows: dict[str, int]  # table name → row count
    languages: dict[str, int]  # article language → articles
    outlets: dict[str, int]  # the most frequent outlets → articles
    translations: dict[str, int]  # original language → articles marked as translations
    language_mismatches: int  # articles in another language than their outlet's
    rejects_by_reason: dict[str, int]
    quote_kinds: dict[str, int]  # direct / indirect / mixed → quotes
    top_speakers: dict[str, int]  # the most quoted speakers → quotes
    quote_links: dict[str, int]  # same_statement / related (and their cross-language share) → links
    article_links: dict[str, int]  # translation / copy / same_story → article pairs
    linked_translations: int  # translations and copies tied to their original in the corpus
    pending_originals: int  # articles marked as translations (or naming an original) not tied to one

    @property
    def articles(self) -> int:
        return self.rows.get("articles", 0)

    @property
    def speakers(self) -> int:
        """People and organisations quoted: the rows of ``speakers``, as the build and the report count them."""
        return self.rows.get("speakers", 0)

    @property
    def translation_count(self) -> int:
        return sum(self.translations.values())

    @property
    def reject_share(self) -> float:
        """Rejected inputs among all inputs that reached the builder (files and JSONL lines)."""
        seen = self.articles + self.rows.get("duplicates", 0) + self.rows.get("rejects", 0)
        return self.rows.get("rejects", 0) / seen if seen else 0.0


def summarize(path: str | os.PathLike[str], top_outlets: int = 10) -> SnapshotSummary:
    """Counts by table, language, outlet, translation and reject reason of the snapshot at ``path``."""
    snapshot = open_snapshot(path)
    manifest = snapshot.manifest
    with snapshot.connect() as db:

        def counts(sql: str) -> dict[str, int]:
            return {str(key): int(n) for key, n in db.execute(sql).fetchall()}

        languages = counts("select coalesce(language, 'unknown'), count(*) from articles group by 1 order by 2 desc, 1")
        outlets = counts(
            "select coalesce(outlet, 'unknown'), count(*) from articles group by 1 order by 2 desc, 1 "
            f"limit {int(top_outlets)}"
        )
        translations = counts(
            "select coalesce(translated_from, 'unknown'), count(*) from articles where is_translation "
            "group by 1 order by 2 desc, 1"
        )
        mismatches = db.execute("select count(*) from articles where language_mismatch").fetchone()
        rejects = counts("select reason, count(*) from rejects group by 1 order by 2 desc, 1")
        quote_kinds = counts("select kind, count(*) from quotes group by 1 order by 2 desc, 1")
        top_speakers = counts(f"select name, n_quotes from speakers order by 2 desc, 1 limit {int(top_outlets)}")
        quote_links = counts(
            "select relation || suffix, count(*) from quote_links, (values ('', true), (' cross-language', false)) "
            "as s(suffix, everyone) where everyone or cross_language group by 1 order by 1"
        )
        article_links = counts("select relation, count(*) from article_links group by 1 order by 2 desc, 1")
        linked, pending = db.execute(_TRANSLATIONS_SQL).fetchone() or (0, 0)
    return SnapshotSummary(
        path=str(snapshot.path),
        schema_version=manifest["schema_version"],
        quotetrace_version=manifest.get("quotetrace_version", "unknown"),
        created_at=manifest.get("created_at", "unknown"),
        inputs=len(manifest.get("inputs", [])),
        rows={name: table["rows"] for name, table in manifest["tables"].items()},
        languages=languages,
        outlets=outlets,
        translations=translations,
        language_mismatches=int(mismatches[0]) if mismatches else 0,
        rejects_by_reason=rejects,
        quote_kinds=quote_kinds,
        top_speakers=top_speakers,
        quote_links=quote_links,
        article_links=article_links,
        linked_translations=int(linked or 0),
        pending_originals=int(pending or 0),
    )


# Derived articles: the non-original side of a translation or copy link whose direction is known.
_TRANSLATIONS_SQL = """
with derived as (
    select distinct case direction when 'a_to_b' then article_id_b else article_id_a end as article_id
    from article_links where relation in ('translation', 'copy') and direction is not null
)
select (select count(*) from derived),
       count(*) filter (where (is_translation or original_url is not null)
                        and article_id not in (select article_id from derived))
from articles
"""
