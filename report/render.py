"""``quotetrace report``: one self-contained HTML file a researcher opens in a browser.

Why one file with everything inline: it is mailed, archived and opened offline; it loads nothing
from the network. Crawled text is hostile, so every value goes through Jinja2's autoescaping,
links are kept only for http(s) addresses, and a Content-Security-Policy lets only the report's own
script run (by its hash): an escaping slip still could not run an injected one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from quotetrace.corpus.info import counted
from quotetrace.errors import QuotetraceError
from quotetrace.files import as_if_created_plainly
from quotetrace.report.content import ReportContent, ReportOptions, collect
from quotetrace.version import __version__

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ReportResult:
    path: Path
    bytes: int
    speakers: int
    statements: int
    articles: int
    chains: int
    seconds: float

    @property
    def megabytes(self) -> float:
        return self.bytes / 1e6


def write_report(
    snapshot: str | os.PathLike[str], out: str | os.PathLike[str], options: ReportOptions | None = None
) -> ReportResult:
    """Render the snapshot at ``snapshot`` into the HTML file ``out`` (replaced atomically)."""
    started = time.perf_counter()
    out = Path(out)
    if out.is_dir():
        raise QuotetraceError(f"{out} is a directory; give the report a file name, e.g. {out / 'report.html'}")
    content = collect(snapshot, options or ReportOptions())
    html = render(content, title=Path(snapshot).resolve().name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out.parent, prefix=f".{out.name}.", delete=False) as f:
        temporary = Path(f.name)
        try:
            f.write(html)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    as_if_created_plainly(temporary)
    temporary.replace(out)
    return ReportResult(
        path=out,
        bytes=len(html.encode("utf-8")),
        speakers=content.summary.rows.get("speakers", 0),  # the speakers table, as info and the build count them
        statements=content.statements,
        articles=len(content.articles),
        chains=len(content.chains),
        seconds=time.perf_counter() - started,
    )


def render(content: ReportContent, title: str) -> str:
    """The report's HTML text."""
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            content=content,
            title=title,
            version=__version__,
            style=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
            script=script,
            script_hash=f"sha256-{digest}",
        )
    )


def safe_url(url: str | None) -> str | None:
    """The address when it is http(s); anything else (`javascript:`, `data:`) is not made a link."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else None


def _when(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value, whatever the template's extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters |= {"safe_url": safe_url, "when": _when, "percent": _percent, "count_of": counted}
    return environment


__all__ = ["ReportOptions", "ReportResult", "render", "safe_url", "write_report"]
