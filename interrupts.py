"""SIGTERM and Ctrl-C stop a command the way a server expects.

The signal becomes an exception in the main thread, so every ``with`` block cleans up after
itself (a temporary snapshot removed, the previous snapshot untouched) and the CLI ends with one
line and exit status 128 + the signal's number. Only the swap of a finished snapshot into place
holds signals back until it is done, so no signal can leave an output half moved.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOPPING = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """A command was stopped by a signal. Not an ``Exception``: no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """From now on SIGTERM and SIGINT raise ``Interrupted`` in the main thread."""
    for signum in STOPPING:
        signal.signal(signum, _raise)


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def ignore_in_worker() -> None:
    """A build's worker processes leave Ctrl-C (sent to the whole process group) to the parent,
    which stops them itself; otherwise each would print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def held() -> Iterator[None]:
    """SIGTERM and SIGINT received inside the block take effect when it ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: pending.append(signum)) for signum in STOPPING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if pending:
            signal.raise_signal(pending[0])
