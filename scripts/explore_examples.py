"""Recipe: build a snapshot of the shipped example articles and ask it three questions,
the way a user's own script would (library API + polars, no CLI).

    python scripts/explore_examples.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from quotetrace import corpus

REPO = Path(__file__).resolve().parents[1]


def main(out: Path) -> None:
    result = corpus.build_snapshot([REPO / "examples"], out, overwrite=True)
    print(f"{result.articles} articles, {result.rejects} rejects, {result.articles_per_second:.1f} articles/s")
    articles = pl.scan_parquet(out / "articles.parquet")

    print("\nArticles by language:")
    print(articles.group_by("language").len().sort("len", descending=True).collect())

    print("\nTranslations and where they come from:")
    print(
        articles.filter(pl.col("is_translation"))
        .select("title", "translated_from", "original_outlet", "provenance_evidence")
        .collect()
    )

    print("\nBoilerplate set aside, by kind:")
    print(
        articles.select(pl.col("boilerplate").explode().struct.field("kind").alias("kind"))
        .drop_nulls()
        .group_by("kind")
        .len()
        .sort("kind")
        .collect()
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "snapshot")
