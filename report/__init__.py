"""The HTML report: a snapshot's statements side by side, how they changed, where they came from."""

from quotetrace.report.content import ReportContent, ReportOptions, collect
from quotetrace.report.render import ReportResult, render, write_report

__all__ = ["ReportContent", "ReportOptions", "ReportResult", "collect", "render", "write_report"]
