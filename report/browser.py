"""Open a report in headless Chromium: the DOM after its script ran, or a screenshot.

Why: a report is checked the way a reader sees it (the tests look at the DOM a real browser built,
the README's picture is a real screenshot). Chromium is Debian's ``chromium`` package; it is
started with a fresh profile and with every background service off, so it never reaches the
network (and works as root in CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from quotetrace.errors import QuotetraceError

HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium executable: ``$QUOTETRACE_CHROMIUM``, else the first of ``CANDIDATES`` on PATH."""
    named = os.environ.get("QUOTETRACE_CHROMIUM")
    if named:
        return named
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def _run(page: Path, *flags: str, fragment: str = "", timeout: float = 120) -> str:
    executable = find_chromium()
    if executable is None:
        raise QuotetraceError(
            "Chromium not found: install it (Debian: apt-get install chromium) or set QUOTETRACE_CHROMIUM"
        )
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    with tempfile.TemporaryDirectory(prefix="quotetrace-chromium-") as profile:
        done = subprocess.run(
            [executable, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *flags, url],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise QuotetraceError(f"Chromium failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def dump_dom(page: str | os.PathLike[str], fragment: str = "") -> str:
    """The page's DOM as HTML after its scripts ran (``fragment`` is the part after ``#``)."""
    return _run(Path(page), "--dump-dom", "--virtual-time-budget=5000", fragment=fragment)


def screenshot(
    page: str | os.PathLike[str], png: str | os.PathLike[str], width: int = 1280, height: int = 1600, fragment: str = ""
) -> Path:
    """A PNG of the page's first ``width`` × ``height`` pixels."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(Path(page), f"--screenshot={png}", f"--window-size={width},{height}", "--virtual-time-budget=5000",
         fragment=fragment)  # fmt: skip
    if not png.is_file():
        raise QuotetraceError(f"Chromium wrote no screenshot at {png}")
    return png
