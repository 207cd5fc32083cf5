"""Provenance stage: is an article a translation or a republication, of what, from which
language, and on what evidence.

Evidence is read from the provenance lines that normalization set aside (``Original:
toutiao.com/article/…``, ``Translated from Chinese``) and from a curated table of the
languages outlets publish in (``corpus/data/outlet_languages.json``). An article whose detected
language differs from its outlet's known language is flagged as ``language_mismatch``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

from quotetrace.corpus import resources
from quotetrace.corpus.batch import each_row, to_batch

_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]|$)", re.IGNORECASE)


@dataclass(frozen=True)
class ProvenanceLine:
    """A line that names where an article comes from."""

    marker: str  # as written: "Original", "Источник", "Translated from"
    kind: str  # "reference" (followed by a URL, domain or outlet) | "translated_from"
    value: str  # what follows the marker
    claims_original: bool  # the marker says the reference is the original of this text


@dataclass(frozen=True)
class ProvenanceOptions:
    # Flag language_mismatch only when the article's language was detected at least this sure.
    min_language_confidence: float = 0.8


def match_line(line: str) -> ProvenanceLine | None:
    """Read ``line`` as a provenance line, or None if it is not one."""
    for pattern, kind in _patterns():
        match = pattern.match(line)
        if match:
            value = match["value"].strip().rstrip("。.")
            if not value or (kind == "reference" and not _looks_like_reference(value)):
                continue
            if kind == "translated_from" and language_code(value) is None:
                continue
            marker = match["marker"]
            claims = kind == "translated_from" or marker.casefold() in _original_markers()
            return ProvenanceLine(marker, kind, value, claims)
    return None


def outlet_language(outlet: str | None = None, url: str | None = None) -> str | None:
    """The language an outlet publishes in, by name, by domain (of ``outlet`` or ``url``), or by
    the national top-level domain; None when unknown."""
    table = resources.load("outlet_languages")
    if outlet:
        names = {name.casefold(): code for name, code in table["names"].items()}
        if outlet.casefold() in names:
            return names[outlet.casefold()]
    for candidate in (outlet, url):
        domain = domain_of(candidate)
        if not domain:
            continue
        labels = domain.split(".")
        for i in range(len(labels) - 1):
            if ".".join(labels[i:]) in table["domains"]:
                return table["domains"][".".join(labels[i:])]
        if labels[-1] in table["tlds"]:
            return table["tlds"][labels[-1]]
    return None


def domain_of(reference: str | None) -> str | None:
    """The host of a URL or bare domain (``toutiao.com/article/1`` → ``toutiao.com``), lower
    case, without ``www.``; None for anything else."""
    if not reference:
        return None
    reference = reference.strip()
    match = _DOMAIN.match(reference)
    if match:
        return match.group(1).lower()
    host = urlsplit(reference).hostname
    return host.removeprefix("www.") if host and "." in host else None


def detect_provenance(articles: pa.Table, options: ProvenanceOptions = ProvenanceOptions()) -> pa.Table:
    """Fill ``is_translation``, ``translated_from``, ``original_url``, ``original_outlet``,
    ``provenance_evidence``, ``outlet_language`` and ``language_mismatch``."""
    return to_batch(each_row(articles, "provenance", lambda row: _provenance_row(row, options)))


def _provenance_row(row: dict[str, Any], options: ProvenanceOptions) -> dict[str, Any]:
    given_language, given_url = row.get("translated_from"), row.get("original_url")  # a feed's own metadata
    row.update(
        is_translation=False,
        translated_from=None,
        original_url=None,
        original_outlet=None,
        provenance_evidence=None,
        outlet_language=None,
        language_mismatch=False,
    )
    if row.get("error"):
        return row
    language = row.get("language")
    claimed_translation = False
    if given_language or given_url:
        if given_language:  # an ISO code, or a language's name ("Chinese")
            given = given_language.lower()
            row["translated_from"] = given if re.fullmatch(r"[a-z]{2}", given) else language_code(given_language)
        row["original_url"] = given_url
        if given_url and (domain := domain_of(given_url)):
            row["original_outlet"] = _known_domain(domain) or domain
        fields = {"translated_from": given_language, "original_url": given_url}
        row["provenance_evidence"] = "input: " + ", ".join(f"{k}={v}" for k, v in fields.items() if v)
        claimed_translation = bool(given_language)
    for entry in row["boilerplate"]:
        if entry["kind"] != "provenance":
            continue
        line = match_line(entry["text"])
        if line is None:
            continue
        row["provenance_evidence"] = row["provenance_evidence"] or entry["text"]
        if line.kind == "translated_from":
            row["translated_from"] = row["translated_from"] or language_code(line.value)
            claimed_translation = True
        elif row["original_url"] is None and row["original_outlet"] is None:
            domain = domain_of(line.value)
            if domain:
                row["original_url"] = line.value if "/" in line.value else None
                row["original_outlet"] = _known_domain(domain) or domain
            else:
                row["original_outlet"] = line.value
            original_language = outlet_language(row["original_outlet"], row["original_url"])
            if original_language and original_language != language:
                row["translated_from"] = row["translated_from"] or original_language
            claimed_translation = claimed_translation or (
                line.claims_original and original_language != language and original_language is not None
            )
    row["is_translation"] = bool(claimed_translation or (row["translated_from"] and row["translated_from"] != language))
    if not row["is_translation"]:
        row["translated_from"] = None
    known = outlet_language(row.get("outlet"), row.get("url"))
    row["outlet_language"] = known
    confidence = row["language_confidence"] or 0.0
    confident = row["language_source"] == "input" or confidence >= options.min_language_confidence
    row["language_mismatch"] = bool(known and language and confident and known != language)
    return row


def language_code(name: str) -> str | None:
    """ISO 639-1 code of a language named in a `translated from` marker (`Chinese`, `китайского`)."""
    words = re.findall(r"[^\W\d_]+", name.casefold())
    for code, stems in resources.load("language_names").items():
        for stem in stems:
            if any(word.startswith(stem) for word in words) or (len(stem) <= 3 and stem in name):
                return code
    return None


def _known_domain(domain: str) -> str | None:
    table = resources.load("outlet_languages")["domains"]
    labels = domain.split(".")
    return next((".".join(labels[i:]) for i in range(len(labels) - 1) if ".".join(labels[i:]) in table), None)


def _looks_like_reference(value: str) -> bool:
    """A URL, a domain, or a short outlet name; not a sentence that happens to start `Source`."""
    return bool(domain_of(value)) or (len(value) <= 60 and len(value.split()) <= 6 and not value.endswith("?"))


@cache
def _original_markers() -> frozenset[str]:
    return frozenset(m.casefold() for m in resources.load("provenance_markers")["original"])


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    data = resources.load("provenance_markers")
    patterns = []
    for kind in ("translated_from", "reference"):
        markers = sorted({m for ms in data[kind].values() for m in ms}, key=len, reverse=True)
        alternatives = "|".join(re.escape(m) for m in markers)
        separator = (
            r"\s*[:：]\s*|\s+"
            if kind == "translated_from"
            else (r"\s*[:：]\s*|\s+(?=(?:https?://|www\.|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b))")
        )
        patterns.append((re.compile(rf"^(?P<marker>{alternatives})(?:{separator})(?P<value>.+)$", re.IGNORECASE), kind))
    return tuple(patterns)
