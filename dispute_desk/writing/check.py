"""The grounding check a written answer must pass, in code: citations in range, figures from cited passages.

A written answer is kept only if it is non-empty, is not the model's refusal, cites at least one passage as
``[n]``, cites no number outside the passage list, and every figure it carries (an amount, a percentage, a
number of days, hours, weeks...) appears in one of the passages it cites. Anything else is discarded and the
extractive answer is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dispute_desk.writing.prompt import REFUSAL_MARKER, Passage

CITATION = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")

_UNITS = {
    "day": "day", "days": "day", "week": "week", "weeks": "week", "hour": "hour", "hours": "hour",
    "month": "month", "months": "month", "year": "year", "years": "year", "minute": "minute",
    "minutes": "minute", "dollar": "$", "dollars": "$", "usd": "$", "percent": "%", "per cent": "%",
}
_CURRENCY = {"$": "$", "us$": "$", "€": "€", "£": "£"}
_UNIT = (
    r"(?P<unit>%|per ?cent\b|(?:(?:calendar|business|working)[\s-])?"
    r"(?:days?|weeks?|hours?|months?|years?|minutes?|dollars?|usd)\b)"
)
_DIGITS = re.compile(
    r"(?P<cur>us\$|\$|€|£)?\s?(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w])"
    rf"(?:[\s-]?{_UNIT})?",
    re.IGNORECASE,
)
_WORD_VALUES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
_WORD = "|".join(sorted(_WORD_VALUES, key=len, reverse=True))
# A number in words counts as a figure only with a unit after it ("seven days"): "one of the parties" is not one.
_WORDS = re.compile(rf"\b(?P<tens>{_WORD})(?:[\s-](?P<ones>{_WORD}))?[\s-]{_UNIT}", re.IGNORECASE)

Figure = tuple[Decimal, str]  # value and unit ("" when none is written next to it)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # ok | empty | declined | no_citation | bad_citation | unsupported_figure
    cited: tuple[int, ...] = ()  # passage numbers in order of first citation
    detail: str = ""


def _unit(raw: str | None, currency: str | None) -> str:
    if currency:
        return _CURRENCY[currency.lower()]
    if not raw:
        return ""
    word = re.sub(r"^(calendar|business|working)[\s-]", "", raw.lower()).strip()
    return "%" if word == "%" else _UNITS.get(word, _UNITS.get(word.replace(" ", ""), word))


def figures(text: str) -> set[Figure]:
    """The figures in ``text``: numbers written with digits (with their unit, if any), and numbers in words
    that come with a unit. Citation markers are not figures.
    """
    text = CITATION.sub(" ", text)
    found: set[Figure] = set()
    value: Decimal | int | None  # a Decimal for digits, an int (None if not a number) for words
    for match in _DIGITS.finditer(text):
        try:
            value = Decimal(match["num"].replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
        found.add((value.normalize(), _unit(match["unit"], match["cur"])))
    for match in _WORDS.finditer(text):
        value = _WORD_VALUES[match["tens"].lower()]
        if match["ones"]:
            ones = _WORD_VALUES[match["ones"].lower()]
            value = value * 100 if ones == 100 else value + ones if value >= 20 and ones < 10 else None
            if value is None:
                continue
        found.add((Decimal(value).normalize(), _unit(match["unit"], None)))
    return found


def citations(text: str) -> list[int]:
    """Every cited passage number, in order of appearance (``[2]``, ``[1, 3]`` and ``[1][3]`` all count)."""
    return [int(n) for group in CITATION.findall(text) for n in re.split(r"\s*[,;]\s*", group)]


def _supported(figure: Figure, available: set[Figure]) -> bool:
    value, unit = figure
    if not unit:
        return any(v == value for v, _ in available)
    return (value, unit) in available or (value, "") in available


def check(text: str, passages: Sequence[Passage]) -> Verdict:
    """Whether a written answer is grounded in ``passages`` (numbered from 1)."""
    body = text.strip()
    if not body:
        return Verdict(False, "empty")
    if REFUSAL_MARKER in body:
        return Verdict(False, "declined")
    cited = citations(body)
    if not cited:
        return Verdict(False, "no_citation")
    numbers = {p.number: p for p in passages}
    wrong = sorted({n for n in cited if n not in numbers})
    if wrong:
        return Verdict(False, "bad_citation", detail=", ".join(f"[{n}]" for n in wrong))
    order = tuple(dict.fromkeys(cited))
    available: set[Figure] = set()
    for n in order:
        passage = numbers[n]
        available |= figures(f"{passage.title}\n{passage.text}")
    missing = sorted(f for f in figures(body) if not _supported(f, available))
    if missing:
        detail = ", ".join(f"{value:f}{' ' + unit if unit else ''}" for value, unit in missing)
        return Verdict(False, "unsupported_figure", order, detail)
    return Verdict(True, "ok", order)


def renumber(text: str, order: Sequence[int]) -> str:
    """``text`` with its citations renumbered 1, 2, ... in order of first appearance (``[3, 1]`` -> ``[1][2]``)."""
    mapping = {old: new for new, old in enumerate(order, start=1)}

    def swap(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
        return "".join(f"[{mapping[n]}]" for n in dict.fromkeys(numbers))

    return CITATION.sub(swap, text)
