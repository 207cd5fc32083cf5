"""Recipe: the README's picture of the report — the example articles (the two seeds among them),
built and aligned, rendered, and photographed in headless Chromium, filtered to what lenta.ru
carries: Lavrov's statement across two outlets and scripts, and Ryabkov's in a human and a machine
English translation, diffed word by word.

Why a script: the picture must show what the code makes today; rerun it after changing the report.

    python scripts/report_screenshot.py            # writes docs/report.png
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import quotetrace
from quotetrace.report import write_report
from quotetrace.report.browser import screenshot

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        snapshot, page = Path(work) / "snapshot", Path(work) / "report.html"
        quotetrace.build([ROOT / "examples"], snapshot)
        write_report(snapshot, page)
        png = screenshot(page, ROOT / "docs" / "report.png", width=1280, height=2600,
                         fragment="outlet=lenta.ru")  # fmt: skip
    print(f"wrote {png.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
