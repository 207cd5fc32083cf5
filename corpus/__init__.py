"""quotetrace's corpus stages: read, decode, extract HTML, normalize, detect language and
provenance, find quotes and their speakers, and write snapshots of Parquet tables.

Each stage is a plain function over an Arrow table with a frozen options dataclass; ``build``
chains them and ``snapshot`` writes and reads the result atomically. Nothing here imports
``quotetrace.align``.
"""

from quotetrace.corpus.build import BuildOptions, BuildResult, build_snapshot
from quotetrace.corpus.snapshot import Snapshot, open_snapshot

__all__ = ["BuildOptions", "BuildResult", "Snapshot", "build_snapshot", "open_snapshot"]
