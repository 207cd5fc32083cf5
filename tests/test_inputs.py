"""Inputs: formats, gzip, sniffing, encodings, and every kind of bad input becoming a reject
row while the good articles beside it survive."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import DATA, SEEDS, encodes, ntrex_documents

from quotetrace import corpus, errors
from quotetrace.corpus.normalize import clean_text

RU = "\n".join(ntrex_documents(1)[0]["sentences"]["rus"])
UK = "\n".join(ntrex_documents(1)[0]["sentences"]["ukr"])
ZH = "\n".join(ntrex_documents(1)[0]["sentences"]["zho"])
DE = "\n".join(ntrex_documents(1)[0]["sentences"]["deu"])
ES = "\n".join(ntrex_documents(1)[0]["sentences"]["spa"])
FR = "\n".join(ntrex_documents(1)[0]["sentences"]["fra"])
PL = "\n".join(ntrex_documents(1)[0]["sentences"]["pol"])


def _traditional_chinese() -> str:
    """Traditional Chinese (big5 cannot encode simplified characters): Tatoeba sentences
    (facebookresearch/LASER @ 74bc6ae, CC BY 2.0 FR) that big5 can encode."""
    lines = (DATA / "parallel" / "tatoeba" / "tatoeba.cmn-eng.cmn").read_text(encoding="utf-8").splitlines()
    traditional = [line for line in lines if any(c in line for c in "們說這個會") and encodes(line, "big5")]
    return "\n".join(["拉夫羅夫談派兵", *traditional[:12]])  # a headline first, like the NTREX texts


def encodable(text: str, encoding: str) -> str:
    """The lines of ``text`` that ``encoding`` can represent (koi8-r has no «»)."""
    return "\n".join(line for line in text.split("\n") if encodes(line, encoding))


ZH_TRADITIONAL = _traditional_chinese()


def build(tmp_path: Path, *inputs: Path) -> tuple[list[dict], list[dict], corpus.Snapshot]:
    out = tmp_path / "snapshot"
    corpus.build_snapshot(list(inputs), out, corpus.BuildOptions(workers=1))
    snapshot = corpus.open_snapshot(out)
    return snapshot.table("articles").to_pylist(), snapshot.table("rejects").to_pylist(), snapshot


@pytest.mark.parametrize(
    ("text", "encoding", "language"),
    [
        (RU, "cp1251", "ru"),
        (RU, "koi8_r", "ru"),
        (UK, "cp1251", "uk"),
        (ZH, "gb18030", "zh"),
        (ZH_TRADITIONAL, "big5", "zh"),
        (DE, "cp1252", "de"),
        (ES, "cp1252", "es"),
        (FR, "cp1252", "fr"),
        (PL, "cp1250", "pl"),
        (RU, "utf-16", "ru"),  # with BOM
        (RU, "utf-16-le", "ru"),  # without BOM
        (ZH, "utf-8-sig", "zh"),
    ],
)
def test_legacy_encodings_decode_to_the_original_text(tmp_path, text, encoding, language):
    path = tmp_path / f"article.{encoding}.txt"
    text = encodable(text, encoding)
    path.write_bytes(text.encode(encoding))
    articles, rejects, _ = build(tmp_path, path)
    assert rejects == []
    article = articles[0]
    # NTREX starts with a headline; no-break spaces become plain spaces
    title = [article["title"]] if article["title"] else []
    assert [*title, *article["paragraphs"]] == clean_text(text).split("\n")
    assert article["language"] == language


def test_gzip_html_jsonl_and_sniffed_unknown_extensions(tmp_path):
    seed = (SEEDS / "000_7170616e22f55333.txt").read_text()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "seed.txt.gz").write_bytes(gzip.compress(seed.encode()))
    html = f"<html><head><title>Lavrov on troops</title></head><body><article><p>{DE}</p></article></body></html>"
    (tmp_path / "in" / "page.dat").write_text(html)  # unknown extension: sniffed as HTML
    record = {"id": "x1", "text": RU, "url": "https://ria.ru/1", "outlet": "RIA Novosti", "published": "2025-02-09"}
    (tmp_path / "in" / "feed.export").write_text(json.dumps(record, ensure_ascii=False) + "\n")  # sniffed JSONL
    (tmp_path / "in" / "nested").mkdir()
    (tmp_path / "in" / "nested" / "note").write_text(UK)  # no extension: sniffed as text
    (tmp_path / "in" / ".hidden.txt").write_text("skipped: hidden files are not inputs")
    articles, rejects, _ = build(tmp_path, tmp_path / "in")
    assert rejects == []
    by_format = {row["input_format"]: row for row in articles}
    assert sorted(row["language"] for row in articles) == ["de", "en", "ru", "uk"]
    assert by_format["html"]["title"] == "Lavrov on troops"
    assert by_format["jsonl"]["external_id"] == "x1"
    assert by_format["jsonl"]["outlet"] == "RIA Novosti"
    assert str(by_format["jsonl"]["published"]) == "2025-02-09"
    assert by_format["jsonl"]["source"].endswith("feed.export:1")
    assert by_format["txt"]["source"].endswith(("seed.txt.gz", "note"))


def test_every_bad_input_is_a_reject_with_its_reason_and_good_articles_survive(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.txt").write_bytes(b"  \n\n \t\n")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (bad / "nul.txt").write_bytes(b"Lavrov said\x00\x00\x00 that \x00 binary\x00 junk\x01\x02" * 50)
    (bad / "noise.bin").write_bytes(bytes((i * 7919) % 256 for i in range(5000)))
    (bad / "broken.html").write_text("<html><body><div><p>unclosed <b>tags<div></span></body")
    (bad / "no-body.html").write_text("<html><head><title>t</title></head><body><nav>menu</nav></body></html>")
    (bad / "broken.gz").write_bytes(gzip.compress(RU.encode())[:40])
    (bad / "huge.txt").write_bytes(b"x" * (50 * 1024 * 1024))  # a 50 MB single line
    lines = [
        json.dumps({"id": "good-1", "text": DE}, ensure_ascii=False),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "wrong-type", "text": 42}),
        json.dumps({"id": "empty-text", "text": "   "}),
        json.dumps({"id": "bad-title", "text": FR, "title": {"nested": True}}),
        '{"id": "huge", "text": "' + "y" * (50 * 1024 * 1024) + '"}',
        json.dumps({"id": "good-2", "text": ES}, ensure_ascii=False),
    ]
    (bad / "feed.jsonl").write_text("\n".join(lines) + "\n")
    (bad / "latin1-bytes.jsonl").write_bytes(b'{"text": "caf\xe9 \xff\xfe"}\n')
    good = SEEDS / "002_6571fc55b31060f4.txt"
    articles, rejects, snapshot = build(tmp_path, bad, good)

    reasons = {Path(r["source"]).name: r["reason"] for r in rejects}
    assert reasons == {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.txt": "binary",
        "nul.txt": "binary",
        "noise.bin": "binary",
        "broken.html": "no_body",
        "no-body.html": "no_body",
        "broken.gz": "unreadable",
        "huge.txt": "too_large",
        "feed.jsonl:2": "malformed_json",
        "feed.jsonl:3": "wrong_type",
        "feed.jsonl:4": "missing_text",
        "feed.jsonl:5": "wrong_type",
        "feed.jsonl:6": "empty",
        "feed.jsonl:7": "wrong_type",
        "feed.jsonl:8": "too_large",
    }
    assert all(r["detail"] for r in rejects)
    assert sorted(a["external_id"] or Path(a["source"]).name for a in articles) == [
        "002_6571fc55b31060f4.txt", "good-1", "good-2", "latin1-bytes.jsonl:1",
    ]  # fmt: skip
    assert snapshot.manifest["rejects_by_reason"]["wrong_type"] == 3


def test_json_documents_hold_an_array_of_articles_or_one_pretty_printed_article(tmp_path):
    (tmp_path / "array.json").write_text(
        json.dumps([{"id": "a", "text": DE}, {"id": "b", "text": 7}, {"id": "c", "text": FR}], ensure_ascii=False)
    )
    (tmp_path / "one.json").write_text(json.dumps({"id": "d", "text": ES}, ensure_ascii=False, indent=2))
    (tmp_path / "lines.json").write_text(json.dumps({"id": "e", "text": PL}, ensure_ascii=False) + "\n{oops\n")
    articles, rejects, _ = build(tmp_path, tmp_path)
    assert sorted(a["external_id"] for a in articles) == ["a", "c", "d", "e"]
    assert {Path(r["source"]).name: r["reason"] for r in rejects} == {
        "array.json:2": "wrong_type",
        "lines.json:2": "malformed_json",
    }


def test_exact_duplicates_are_kept_once_and_their_other_sources_recorded(tmp_path):
    seed = SEEDS / "000_7170616e22f55333.txt"
    copy = tmp_path / "copy.txt"
    copy.write_text("\n\n" + seed.read_text().replace("\n", "\n\n") + "\n")  # same text, other layout
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "again", "url": "https://example.com/a", "text": seed.read_text()}) + "\n")
    articles, rejects, snapshot = build(tmp_path, seed, copy, feed)
    assert len(articles) == 1 and rejects == []
    duplicates = snapshot.table("duplicates").to_pylist()
    assert [(Path(d["source"]).name, d["article_id"]) for d in duplicates] == [
        ("copy.txt", articles[0]["article_id"]), ("feed.jsonl:1", articles[0]["article_id"]),
    ]  # fmt: skip
    assert duplicates[1]["external_id"] == "again"
    for table, key in (("quotes", "quote_id"), ("sentences", "article_id, index")):
        n, distinct = snapshot.query(f"select count(*), count(distinct ({key})) from {table}").to_pylist()[0].values()
        assert n == distinct > 0, f"{table} repeats the duplicate's rows"


def test_missing_input_path_is_a_clear_error(tmp_path):
    with pytest.raises(errors.InputError, match="input not found"):
        corpus.build_snapshot([tmp_path / "nope"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_article_that_trips_a_stage_bug_is_rejected_alone(tmp_path, monkeypatch):
    from quotetrace.corpus import normalize as normalize_module

    real_split = normalize_module.split_paragraphs

    def split_failing_on_polish(text: str) -> list[str]:
        if "Członkowie" in text:
            raise ValueError("simulated bug")
        return real_split(text)

    monkeypatch.setattr(normalize_module, "split_paragraphs", split_failing_on_polish)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate((DE, PL, ES))))
    articles, rejects, _ = build(tmp_path, feed)
    assert sorted(a["external_id"] for a in articles) == ["0", "2"]
    assert [(r["source"].rsplit("/", 1)[1], r["reason"], r["detail"]) for r in rejects] == [
        ("feed.jsonl:2", "normalize_failed", "ValueError: simulated bug")
    ]


def test_a_feeds_numeric_dates_parse_and_an_unreadable_one_is_kept_as_written(tmp_path):
    seed = (SEEDS / "000_7170616e22f55333.txt").read_text()
    other = (SEEDS / "002_6571fc55b31060f4.txt").read_text()
    feed = tmp_path / "feed.jsonl"
    records = [
        {
            "id": "seconds",
            "text": seed,
            "title": "Its headline",
            "published": 1741737600,
            "author": "J. Doe",
            "tags": ["war", "talks"],
        },
        {"id": "copy", "text": seed, "published": "last Tuesday", "title": "The copy's own headline"},
        {"id": "millis", "text": other, "published": 1741737600000},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    articles, _, snapshot = build(tmp_path, feed)
    by_id = {a["external_id"]: a for a in articles}
    assert str(by_id["seconds"]["published"]) == str(by_id["millis"]["published"]) == "2025-03-12"
    assert json.loads(by_id["seconds"]["extra"]) == {"author": "J. Doe", "tags": ["war", "talks"]}
    [copy] = snapshot.table("duplicates").to_pylist()
    assert (copy["external_id"], copy["title"], copy["published_raw"]) == (
        "copy",
        "The copy's own headline",
        "last Tuesday",
    )
    assert snapshot.manifest["unread_dates"] == 1
