"""Publication dates as written in news: ISO, day.month.year, `March 12, 2025`, `12 March 2025`,
and the same with Russian, Ukrainian, German, French and Spanish month names; in feeds also a
number: Unix time in seconds or milliseconds (`1741737600`, `1741737600000`) or `20250312`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MONTHS = {
    1: "jan january январ січ січня janvier janv enero ene januar jän",
    2: "feb february феврал лют лютого février févr fevrier febrero februar",
    3: "mar march март берез березня mars marzo märz maerz",
    4: "apr april апрел квіт квітня avril abril",
    5: "may мая май трав травня mai mayo",
    6: "jun june июн черв червня juin junio juni",
    7: "jul july июл лип липня juillet juil julio juli",
    8: "aug august август серп серпня août aout agosto",
    9: "sep sept september сентябр верес вересня septembre septiembre",
    10: "oct october октябр жовт жовтня octobre octubre oktober okt",
    11: "nov november ноябр листоп листопада novembre noviembre",
    12: "dec december декабр груд грудня décembre decembre diciembre dezember dez",
}
_MONTH_BY_NAME = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH_WORD = r"[^\W\d_]{3,10}\.?"
DATE_TOKEN = (
    r"\d{4}-\d{1,2}-\d{1,2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{4}/\d{1,2}/\d{1,2}"
    r"|\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日"
    rf"|{_MONTH_WORD}\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH_WORD}\s+(?:de\s+)?\d{{4}}"
)
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_CJK_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_MDY = re.compile(r"([^\W\d_]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4})")
_DMY_WORDS = re.compile(r"(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]{3,10})\.?\s+(?:de\s+)?(\d{4})")


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")
# Unix times a feed may give: seconds (10 digits) or milliseconds (13), UTC, within these years
_EPOCH_YEARS = range(1990, 2101)


def parse_date(value: str | int | float | date | None) -> date | None:
    """The calendar date in ``value``, or None when it holds none we can read for sure."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if _NUMBER.fullmatch(text):
        return _date_of_number(text)
    for pattern, order in ((_ISO, "ymd"), (_CJK_DATE, "ymd"), (_DMY, "dmy"), (_MDY, "mdy"), (_DMY_WORDS, "dmy")):
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = parts["m"] if parts["m"].isdigit() else _month_number(parts["m"])
        if month is None:
            continue
        try:
            return date(int(parts["y"]), int(month), int(parts["d"]))
        except ValueError:
            continue
    return None


def _month_number(word: str) -> int | None:
    word = word.casefold().rstrip(".")
    if word in _MONTH_BY_NAME:
        return _MONTH_BY_NAME[word]
    for length in range(len(word), 2, -1):  # inflected forms: `февраля`, `березня`, `Februar`
        if word[:length] in _MONTH_BY_NAME:
            return _MONTH_BY_NAME[word[:length]]
    return None


def unread_date(value: str | int | float | None) -> str | None:
    """``value`` as written when it is given but holds no date ``parse_date`` can read: what
    ``published_raw`` keeps, so an input's date is never dropped without a trace."""
    if value is None or not str(value).strip() or parse_date(value) is not None:
        return None
    return str(value)


def _date_of_number(text: str) -> date | None:
    """A number as a date: ``YYYYMMDD``, or Unix seconds / milliseconds (UTC) in a plausible year."""
    digits = text.lstrip("+").split(".")[0]
    if len(digits) == 8 and "." not in text:
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
    seconds = float(text) / (1000 if len(digits) == 13 else 1) if len(digits) in (10, 13) else None
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.date() if moment.year in _EPOCH_YEARS else None
