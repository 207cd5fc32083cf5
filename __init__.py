"""quotetrace: news articles in many languages in, a queryable Parquet snapshot out, with quotes
traced across outlets and translations.

    import quotetrace

    built, aligned = quotetrace.build(["articles/"], "snapshot/", overwrite=True)
    snapshot = quotetrace.open_snapshot("snapshot/")
    for group in quotetrace.cross_outlet_duplicates("snapshot/", speaker="Lavrov"):
        print(group.speaker, group.outlets, [v.text for v in group.variants])
    quotetrace.write_report("snapshot/", "report.html")

The layers, bottom to top (an import only ever points down): ``schemas``; ``encoder``;
``corpus`` (reading, normalizing, quotes and speakers, the snapshot); ``align`` (embeddings,
links, translations); ``report``; and this package's ``pipeline`` and ``cli``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from quotetrace.version import __version__

# Where each name of the facade lives. They load on first use, so that importing one part
# (a build's worker imports quotetrace.corpus.build) does not load every layer above it.
_HOMES = {
    "AlignOptions": "quotetrace.align.stage",
    "AlignResult": "quotetrace.align.stage",
    "align_snapshot": "quotetrace.align.stage",
    "BuildOptions": "quotetrace.corpus.build",
    "BuildResult": "quotetrace.corpus.build",
    "DuplicateGroup": "quotetrace.align.duplicates",
    "cross_outlet_duplicates": "quotetrace.align.duplicates",
    "Encoder": "quotetrace.encoder",
    "HashEncoder": "quotetrace.encoder",
    "load_encoder": "quotetrace.encoder",
    "QuotetraceError": "quotetrace.errors",
    "ReportOptions": "quotetrace.report",
    "ReportResult": "quotetrace.report",
    "write_report": "quotetrace.report",
    "Snapshot": "quotetrace.corpus.snapshot",
    "open_snapshot": "quotetrace.corpus.snapshot",
    "build": "quotetrace.pipeline",
}

if TYPE_CHECKING:
    from quotetrace.align.duplicates import DuplicateGroup, cross_outlet_duplicates
    from quotetrace.align.stage import AlignOptions, AlignResult, align_snapshot
    from quotetrace.corpus.build import BuildOptions, BuildResult
    from quotetrace.corpus.snapshot import Snapshot, open_snapshot
    from quotetrace.encoder import Encoder, HashEncoder, load_encoder
    from quotetrace.errors import QuotetraceError
    from quotetrace.pipeline import build
    from quotetrace.report import ReportOptions, ReportResult, write_report

__all__ = [
    "AlignOptions",
    "AlignResult",
    "BuildOptions",
    "BuildResult",
    "DuplicateGroup",
    "Encoder",
    "HashEncoder",
    "QuotetraceError",
    "ReportOptions",
    "ReportResult",
    "Snapshot",
    "__version__",
    "align_snapshot",
    "build",
    "cross_outlet_duplicates",
    "load_encoder",
    "open_snapshot",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'quotetrace' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
