"""quotetrace's corpus stages: read, decode, extract HTML, normalize, detect language and
provenance, and write snapshots of Parquet tables.

Each stage is a plain function over an Arrow table with a frozen options dataclass; ``build``
chains them and ``snapshot`` writes and reads the result atomically.
"""

from corpus.build import BuildOptions, BuildResult, build_snapshot
from corpus.errors import InputError, QuotetraceError, SnapshotError, WorkerError
from corpus.snapshot import Snapshot, open_snapshot
from corpus.version import __version__

__all__ = [
    "BuildOptions",
    "BuildResult",
    "InputError",
    "QuotetraceError",
    "Snapshot",
    "SnapshotError",
    "WorkerError",
    "__version__",
    "build_snapshot",
    "open_snapshot",
]
