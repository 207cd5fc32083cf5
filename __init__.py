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

from quotetrace.align.duplicates import DuplicateGroup, cross_outlet_duplicates
from quotetrace.align.stage import AlignOptions, AlignResult, align_snapshot
from quotetrace.corpus.build import BuildOptions, BuildResult
from quotetrace.corpus.snapshot import Snapshot, open_snapshot
from quotetrace.encoder import Encoder, HashEncoder, load_encoder
from quotetrace.errors import QuotetraceError
from quotetrace.pipeline import build
from quotetrace.report import ReportOptions, ReportResult, write_report
from quotetrace.version import __version__

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
