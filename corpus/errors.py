"""Domain errors: the CLI turns each into a one-line message and a non-zero exit."""


class QuotetraceError(Exception):
    """Base of every error a user can cause and fix (bad paths, bad snapshots, busy outputs)."""


class InputError(QuotetraceError):
    """An input path is missing or cannot be used."""


class SnapshotError(QuotetraceError):
    """A snapshot directory is missing, incomplete, locked, or of an unknown schema version."""


class WorkerError(QuotetraceError):
    """A build's worker process died (killed, out of memory, or a script without a main guard)."""
