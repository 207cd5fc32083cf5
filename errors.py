"""Domain errors: the CLI turns each into a one-line message and a non-zero exit.

Every layer raises these (the encoder, corpus and align stages, the report), so they live at the
bottom of the package and import nothing of ours.
"""


class QuotetraceError(Exception):
    """Base of every error a user can cause and fix (bad paths, bad snapshots, busy outputs)."""


class InputError(QuotetraceError):
    """An input path is missing or cannot be used."""


class SnapshotError(QuotetraceError):
    """A snapshot directory is missing, incomplete, locked, or of an unknown schema version."""


class WorkerError(QuotetraceError):
    """A build's worker process died (killed, out of memory, or a script without a main guard)."""


class EngineError(QuotetraceError):
    """Ray is not installed or its cluster cannot be reached."""


class EncoderError(QuotetraceError):
    """An embedding model cannot be loaded (not found offline, not a model folder, broken download)."""


def one_line(error: BaseException) -> str:
    """An exception's message on one line of at most 300 characters, for an error that wraps it."""
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:299] + "…"
