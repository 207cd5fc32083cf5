"""Compare two snapshots table by table: the check behind incremental builds ("the same tables as
a build from scratch") and determinism ("the same tables from the same inputs").

Rows are compared as sets (sorted on their scalar columns), so the order in which articles were
processed does not matter; floating-point columns, vectors included, may differ by
``tolerance`` (the same text encoded in another batch differs in the last bits).
"""

from __future__ import annotations

import polars as pl

import schemas
from corpus.snapshot import Snapshot


def snapshot_differences(a: Snapshot, b: Snapshot, tolerance: float = 1e-4) -> list[str]:
    """One line per difference between the tables of ``a`` and ``b``; empty when they agree."""
    differences = []
    for name in schemas.TABLES:
        in_a, in_b = name in a.table_names, name in b.table_names
        if not (in_a and in_b):
            if in_a or in_b:
                differences.append(f"{name}: only in {a.path if in_a else b.path}")
            continue
        differences.extend(f"{name}: {line}" for line in table_differences(_frame(a, name), _frame(b, name), tolerance))
    return differences


def table_differences(x: pl.DataFrame, y: pl.DataFrame, tolerance: float = 1e-4) -> list[str]:
    if x.columns != y.columns:
        return [f"columns differ: {x.columns} vs {y.columns}"]
    if x.height != y.height:
        return [f"{x.height} rows vs {y.height}"]
    found = []
    for column in x.columns:
        left, right = x[column], y[column]
        if _is_float(left.dtype):
            gap = _max_gap(left, right)
            if gap is None or gap > tolerance:
                found.append(f"column {column}: values differ by up to {gap}" if gap is not None
                             else f"column {column}: nulls differ")  # fmt: skip
        elif not left.equals(right):
            rows = (left != right).fill_null(True).sum() if left.dtype.is_nested() is False else "some"
            found.append(f"column {column}: {rows} rows differ")
    return found


def _frame(snapshot: Snapshot, name: str) -> pl.DataFrame:
    frame = pl.from_arrow(snapshot.table(name))
    assert isinstance(frame, pl.DataFrame)
    keys = [c for c, t in frame.schema.items() if (t.is_numeric() and not t.is_float()) or t in (pl.String, pl.Boolean)]
    return frame.sort(keys, nulls_last=True) if keys and frame.height else frame


def _is_float(dtype: pl.DataType) -> bool:
    while isinstance(dtype, pl.List | pl.Array):
        dtype = dtype.inner
    return dtype.is_float()


def _max_gap(left: pl.Series, right: pl.Series) -> float | None:
    """Largest absolute difference of two float (or float-list) columns; None if their nulls differ."""
    while left.dtype.is_nested():
        left, right = left.explode(), right.explode()
    if not left.is_null().equals(right.is_null()):
        return None
    gaps = (left.cast(pl.Float64) - right.cast(pl.Float64)).abs()
    return float(gaps.max() or 0.0)
