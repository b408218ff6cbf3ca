"""Small text helpers shared by the readers: whitespace, paragraphs, word budgets, dates, headings."""

from __future__ import annotations

import re

from dispute_desk.dates import parse_date
from dispute_desk.sentences import split_long, word_count
from ingest.documents import Section

MAX_SECTION_WORDS = 150

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")

# "3.2 Title", "3.2. Title", "4. Title"; the number is group 1, the rest group 2.
NUMBERED_HEADING = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?\s+(\S.*)$")


def normalize(text: str) -> str:
    """Unify newlines and spaces, drop invisible characters, trim lines and blank-line runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks of ``normalize``d text."""
    return [p.strip() for p in normalize(text).split("\n\n") if p.strip()]


def group_paragraphs(paras: list[str], limit: int = MAX_SECTION_WORDS) -> list[str]:
    """Pack consecutive paragraphs into blocks of at most ``limit`` words, keeping paragraph breaks."""
    blocks: list[str] = []
    current: list[str] = []
    size = 0
    for para in paras:
        for piece in split_long(para, limit):
            n = word_count(piece)
            if current and size + n > limit:
                blocks.append("\n\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += n
    if current:
        blocks.append("\n\n".join(current))
    return blocks


def date_in(text: str) -> str | None:
    """The ISO date (yyyy-mm-dd) a forum date line or article label spells, else None."""
    day = parse_date(text)
    return day.isoformat() if day else None


def iso_date(value: object) -> str | None:
    """Dates from YAML or JSON (date objects, ISO timestamps, human spellings) as yyyy-mm-dd."""
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    text = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    return date_in(text) or text


def split_heading_number(heading: str) -> tuple[str | None, str]:
    """('4.2', 'Who pays') for a heading written '4.2 Who pays', ('4', 'Arbitration') for '4. Arbitration';
    (None, heading) when it has no number (a single number needs its period: '2024 in review' has none).
    """
    heading = heading.strip()
    match = NUMBERED_HEADING.match(heading)
    if not match or ("." not in match.group(1) and heading[len(match.group(1))] != "."):
        return None, heading
    return match.group(1), match.group(2).strip()


def numbered_heading(line: str, *, max_words: int = 14) -> tuple[str, str] | None:
    """('3.2', 'Who pays') for a line that reads like a numbered heading, else None.

    Multi-level numbers ("3.2 Who pays") always count; a single number ("4. Arbitration") only when the
    rest is short and does not end like a sentence, so numbered list items stay text.
    """
    number, rest = split_heading_number(line)
    if number is None or word_count(rest) > max_words or len(rest) > 120:
        return None
    if rest.endswith((".", ",", ";")) or ("." not in number and rest.endswith((":", "?", "!"))):
        return None
    return number, rest


def title_from_stem(stem: str) -> str:
    """'04-arbitration_fees' -> 'Arbitration fees'."""
    words = re.sub(r"^\d+[-_ ]+", "", stem).replace("_", " ").replace("-", " ").strip()
    words = re.sub(r"\s+", " ", words) or stem
    return words[:1].upper() + words[1:]


def short_title(line: str, fallback: str, limit: int = 150) -> str:
    line = line.strip()
    return line if line and len(line) <= limit else fallback


def sections_from_numbered_blocks(blocks: list[str], title: str) -> list[Section] | None:
    """Sections split at blocks that start with a numbered heading line, or None when there are none.

    Text before the first heading becomes a section headed by the document title (number taken from a
    top-level heading when the title itself was one).
    """
    starts = [i for i, block in enumerate(blocks) if numbered_heading(block.split("\n", 1)[0])]
    if not starts:
        return None
    sections: list[Section] = []
    intro = blocks[: starts[0]]
    if intro:
        sections.append(Section(number=None, heading=title, text="\n\n".join(intro)))
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(blocks)
        first_line, _, rest = blocks[start].partition("\n")
        number, heading = numbered_heading(first_line) or (None, first_line)
        body = [rest.strip()] if rest.strip() else []
        body.extend(blocks[start + 1 : end])
        text = "\n\n".join(body)
        if not text:
            # A bare top-level heading ("4. Arbitration") right before its subsections: nothing to keep.
            continue
        sections.append(Section(number=number, heading=heading, text=text))
    return sections


_LIST_ITEM = re.compile(r"^(?:[-*+•]\s+|\d{1,3}[.)]\s+|\|)")


def unwrap(text: str) -> str:
    """Join hard-wrapped lines inside each paragraph; list items and table rows keep their own lines."""
    out: list[str] = []
    for para in paragraphs(text):
        lines: list[str] = []
        for line in para.split("\n"):
            if lines and not _LIST_ITEM.match(line) and not lines[-1].startswith("|"):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(out)
