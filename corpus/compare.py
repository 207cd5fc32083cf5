"""Compare two snapshots table by table: the check behind incremental builds ("the same tables as
a build from scratch") and determinism ("the same tables from the same inputs").

Rows are compared as sets (sorted on their scalar columns), so the order in which articles were
processed does not matter. Floating-point values (vectors and the floats inside nested columns
included) may differ by ``tolerance``, and numbers written into text (``evidence``) by one unit of
their last digit: the same text encoded in another batch differs in the last bits, which can flip
a rounding.
"""

from __future__ import annotations

import re

import polars as pl

from quotetrace import schemas
from quotetrace.corpus.snapshot import Snapshot


def snapshot_differences(a: Snapshot, b: Snapshot, tolerance: float = 1e-3) -> list[str]:
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


def table_differences(x: pl.DataFrame, y: pl.DataFrame, tolerance: float = 1e-3) -> list[str]:
    if x.columns != y.columns:
        return [f"columns differ: {x.columns} vs {y.columns}"]
    if x.height != y.height:
        return [f"{x.height} rows vs {y.height}"]
    found = []
    for column in x.columns:
        left, right = x[column], y[column]
        if isinstance(left.dtype, pl.List) and isinstance(left.dtype.inner, pl.Struct):
            left, right = left.explode().struct.unnest(), right.explode().struct.unnest()
            found.extend(f"column {column}.{line}" for line in table_differences(left, right, tolerance))
        elif left.dtype == pl.String and not left.equals(right):
            rows = sum(not _same_but_rounding(p, q) for p, q in zip(left, right, strict=True))
            if rows:
                found.append(f"column {column}: {rows} rows differ")
        elif _is_float(left.dtype):
            gap = _max_gap(left, right)
            if gap is None or gap > tolerance:
                found.append(f"column {column}: values differ by up to {gap}" if gap is not None
                             else f"column {column}: nulls differ")  # fmt: skip
        elif not left.equals(right):
            rows = "some" if left.dtype.is_nested() else (left != right).fill_null(True).sum()
            found.append(f"column {column}: {rows} rows differ")
    return found


_NUMBER = re.compile(r"\d+(?:\.(\d+))?")


def _same_but_rounding(p: str | None, q: str | None) -> bool:
    """Equal texts, or texts whose numbers differ by at most one unit of their last printed digit."""
    if p is None or q is None or p == q:
        return p == q
    if _NUMBER.sub("#", p) != _NUMBER.sub("#", q):
        return False
    for m, n in zip(_NUMBER.finditer(p), _NUMBER.finditer(q), strict=True):
        unit = 10.0 ** -max(len(m.group(1) or ""), len(n.group(1) or ""))
        if abs(float(m.group()) - float(n.group())) > unit * 1.5:
            return False
    return True


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
