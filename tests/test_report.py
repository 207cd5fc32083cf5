"""`quotetrace report`: the page a researcher reads, checked in a real headless Chromium.

The snapshot is the seeds, NTREX documents in four languages, WMT22's lenta.ru article quoting
Lavrov (the Russian original, the human and a machine translation) and one hostile article whose
title, outlet, URL, body and quote carry script payloads.
"""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from conftest import REPO, SEEDS, write_ntrex_jsonl

import quotetrace
from quotetrace import corpus
from quotetrace.report import collect, write_report
from quotetrace.report.browser import dump_dom, find_chromium, screenshot
from quotetrace.report.diff import word_diff
from quotetrace.report.render import render, safe_url

PAYLOAD = "document.body.setAttribute('data-pwned', '{}')"
HOSTILE = {
    "id": "hostile-1",
    "outlet": f'<img src=x onerror="{PAYLOAD.format("outlet")}">',
    "title": f"<script>{PAYLOAD.format('title')}</script> Minister speaks",
    "url": f"javascript:{PAYLOAD.format('url')}",
    "language": "en",
    "text": (
        f"<script>{PAYLOAD.format('body')}</script> The minister spoke to reporters on Monday.\n"
        f'"We will not accept <img src=x onerror="{PAYLOAD.format("quote")}"> any foreign troops," '
        "Defence Minister John Carter said.\n"
        f'<iframe src="javascript:{PAYLOAD.format("iframe")}"></iframe> Talks continue next week.'
    ),
}
LAVROV_OUTLETS = {"lenta.ru", "wmt22-ref-A"}  # WMT22 lenta.ru.89783 and its human translation


@pytest.fixture(scope="module")
def report_snapshot(tmp_path_factory, encoder):
    work = tmp_path_factory.mktemp("report")
    write_ntrex_jsonl(work / "ntrex.jsonl", documents=2, languages=("eng", "rus", "zho", "deu"), provenance=True)
    (work / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    inputs = [SEEDS, work / "ntrex.jsonl", REPO / "examples" / "wmt22_lavrov.jsonl", work / "hostile.jsonl"]
    quotetrace.build(inputs, work / "snapshot", encoder=encoder)
    return work / "snapshot"


@pytest.fixture(scope="module")
def report_page(report_snapshot, tmp_path_factory):
    page = tmp_path_factory.mktemp("page") / "report.html"
    result = write_report(report_snapshot, page)
    assert result.path == page and result.statements >= 1
    return page


@pytest.fixture(scope="module")
def chromium():
    if find_chromium() is None:
        pytest.fail("headless Chromium is needed for the report test: apt-get install chromium (.ci/run does)")


def test_lavrovs_statement_shows_both_outlets_in_a_real_browser(report_page, chromium, tmp_path):
    """Done means: Chromium renders the page, its script filters to Lavrov, his statement lists
    both outlets, and no injected script ran."""
    dom = lxml.html.fromstring(dump_dom(report_page, fragment="speaker=Sergei%20Lavrov"))
    body = dom.body
    assert body.get("data-ready") == "true", "the report's own script did not run"
    assert body.get("data-pwned") is None, f"an injected script ran: {body.get('data-pwned')}"
    sections = dom.cssselect("section.speaker")
    shown = [s for s in sections if s.get("hidden") is None]
    assert [s.get("data-speaker") for s in shown] == ["Sergei Lavrov"]
    assert len(sections) > 1, "other speakers exist and are hidden by the filter"
    statements = [s for s in shown[0].cssselect("article.statement") if s.get("hidden") is None]
    outlets = [{o.text_content() for o in s.cssselect(".variant .outlet")} for s in statements]
    assert any(found >= LAVROV_OUTLETS for found in outlets), outlets
    variants = next(s for s in statements if {o.text_content() for o in s.cssselect(".outlet")} >= LAVROV_OUTLETS)
    texts = {
        v.get("data-language"): v.cssselect("blockquote")[0].text_content() for v in variants.cssselect(".variant")
    }
    assert "диалог" in texts["ru"] and "dialog" in texts["en"]
    # the hostile article is on the page as inert text
    (article,) = dom.cssselect("article.doc[data-language='en'] h3:contains('Minister speaks')")
    assert "<script>" in article.text_content()
    assert not dom.cssselect("img, iframe"), "markup from an article became an element"
    assert all(not (a.get("href") or "").startswith("javascript:") for a in dom.cssselect("a"))
    png = screenshot(report_page, tmp_path / "report.png", fragment="speaker=Sergei%20Lavrov")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 1280  # width as asked


def test_filters_by_outlet_and_language(report_page, chromium):
    dom = lxml.html.fromstring(dump_dom(report_page, fragment="language=ru"))
    docs = dom.cssselect("article.doc")
    shown = [d for d in docs if d.get("hidden") is None]
    assert shown and len(shown) < len(docs)
    assert {d.get("data-language") for d in shown} == {"ru"}
    statements = [s for s in dom.cssselect("article.statement") if s.get("hidden") is None]
    assert statements and all("ru" in s.get("data-languages").split("|") for s in statements)
    assert dom.get_element_by_id("shown").text_content() == f"{len(statements)} statements shown"


def test_every_article_value_is_escaped_and_only_the_reports_script_may_run(report_snapshot):
    """No browser: the escaping itself, and the Content-Security-Policy that backs it up."""
    html = render(collect(report_snapshot), title="t")
    assert len(re.findall(r"<script\b", html)) == 1  # ours; every payload is text
    assert "&lt;script&gt;document.body.setAttribute(" in html
    assert "<img" not in html and "<iframe" not in html
    assert 'href="javascript:' not in html
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert "http://" not in policy and "https://" not in policy  # nothing loads from the network
    assert not re.search(r"""(src|href)=["']?https?://""", html.replace('href="http', ""))
    assert safe_url("https://lenta.ru/news/") == "https://lenta.ru/news/"
    assert safe_url(" JavaScript:alert(1)") is None and safe_url("data:text/html,x") is None


def test_provenance_chains_and_pending_original(report_snapshot):
    content = collect(report_snapshot)
    lenta = next(c for c in content.chains if content.articles[c.article_id].outlet == "lenta.ru")
    derived = {content.articles[link.article_id].outlet: link.relation for link in lenta.children}
    assert derived == {"wmt22-ref-A": "translation", "Online-B": "translation"}
    english = next(c for c in content.chains if content.articles[c.article_id].outlet == "bbc-eng")
    assert {content.articles[link.article_id].language for link in english.children} == {"ru", "zh", "de"}
    (pending,) = [p for p in content.pending if p.original.startswith("toutiao.com")]  # seed 000
    assert pending.evidence.startswith("Original: toutiao.com/article/")


def test_statement_reference_is_the_original_and_drift_is_measured(report_snapshot):
    content = collect(report_snapshot)
    statements = [s for section in content.speakers for s in section.statements]
    assert statements
    for statement in statements:
        assert statement.drift is not None and 0.0 <= statement.drift < 0.5
        first = statement.variants[0]
        assert first.diff is None  # the reference of the first language is shown first
        for shown in statement.variants:
            same_language = [v for v in statement.variants if v.variant.language == shown.variant.language]
            assert (shown.diff is not None) == (shown is not same_language[0])
    lavrov = next(s for s in statements if s.speaker == "Sergei Lavrov" and len(s.outlets) >= 2)
    assert lavrov.variants[0].variant.outlet == "lenta.ru" and lavrov.variants[0].original


def test_word_diff_of_a_human_and_a_machine_translation():
    """WMT22 lenta.ru.89783, segment 3: the human reference and Online-B's wording."""
    records = [json.loads(line) for line in (REPO / "examples" / "wmt22_lavrov.jsonl").read_text().splitlines()]
    human, machine = (r["text"].splitlines()[2] for r in records[1:])
    diff = word_diff(human, machine)
    shown = "".join(s.text for s in diff.segments if s.op != "delete")
    removed = "".join(s.text for s in diff.segments if s.op != "insert")
    assert shown.split() == machine.split() or shown.replace(" ", "") == machine.replace(" ", "")
    assert removed.replace(" ", "") == human.replace(" ", "")
    assert 0.1 < diff.changed < 0.6  # same sentence, other words
    assert word_diff(human, human).changed == 0.0 and word_diff(human, "").changed == 1.0


def test_cjk_diff_is_by_character():
    diff = word_diff("莫斯科准备恢复对话。", "莫斯科愿意恢复对话。")
    assert [(s.op, s.text) for s in diff.segments] == [
        ("equal", "莫斯科"), ("delete", "准备"), ("insert", "愿意"), ("equal", "恢复对话。"),
    ]  # fmt: skip


def test_a_snapshot_built_without_alignment_reports_its_quotes_and_says_to_align(tmp_path):
    corpus.build_snapshot([SEEDS], tmp_path / "snapshot")
    content = collect(tmp_path / "snapshot")
    assert not content.aligned and content.statements == 0
    lavrov = next(s for s in content.speakers if s.name == "Sergei Lavrov")
    assert {q.outlet for q in lavrov.other_quotes} == {"UNN", None}  # both seeds, quoted once each
    result = write_report(tmp_path / "snapshot", tmp_path / "report.html")
    assert "run <code>quotetrace align</code>" in result.path.read_text(encoding="utf-8")
