"""The one date reader: ISO dates and the spellings forum pages and articles use, as ``datetime.date``."""

from __future__ import annotations

import re
from datetime import date, datetime

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_FORMATS = (
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%m-%d-%Y",
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
# The day, optionally after "posted on" and before a time of day ("Nov 2, 2026 08:45 AM", "2026-11-02T08:45Z").
_DATE_LINE = re.compile(
    r"^(?:(?:posted|edited|created)(?: on)?\s+)?"
    r"([A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4}|\d{1,4}[-/]\d{1,2}[-/]\d{1,4})"
    r"(?:[ ,T]+(?:at )?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2}| ?[A-Z]{2,4})?)?$",
    re.IGNORECASE,
)


def parse_date(text: str, *, iso_only: bool = False) -> date | None:
    """The date ``text`` spells, else None.

    ``iso_only``: only an ISO date (``2026-11-04``), for answers where "03/04/2026" would be a guess between
    March and April. Otherwise a whole date line as forums and articles write it ("Nov 2, 2026 08:45 AM",
    "posted on 2 November 2026", "11/02/2026", "2026-11-02T08:45:00Z").
    """
    text = " ".join(text.translate(_INVISIBLE).split())
    if iso_only:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = _DATE_LINE.match(text)
    if not match:
        return None
    day = match.group(1).replace(".", "")
    for fmt in _FORMATS:
        try:
            return datetime.strptime(day, fmt).date()
        except ValueError:
            continue
    return None
