"""Plain-text reader: a title line, then numbered sections ("3.2 Who pays") or paragraph groups."""

from __future__ import annotations

from ingest.documents import ParsedDocument, Section
from ingest.formats import forum_text
from ingest.formats._textutil import (
    group_paragraphs,
    numbered_heading,
    paragraphs,
    sections_from_numbered_blocks,
    short_title,
    unwrap,
)


def sections_from_text(blocks: list[str], title: str) -> list[Section]:
    """Numbered sections when the text has numbered headings, else paragraphs packed into small sections."""
    numbered = sections_from_numbered_blocks(blocks, title)
    if numbered is not None:
        for section in numbered:
            section.text = unwrap(section.text)
        return numbered
    return [Section(number=None, heading=None, text=block) for block in group_paragraphs([unwrap(b) for b in blocks])]


def title_and_body(blocks: list[str], fallback_title: str) -> tuple[str, list[str]]:
    """Split off the title (first line, or the fallback when it is too long) from the blocks after it.

    A lone short first line is the title and not part of the text; a first line that is a top-level
    numbered heading ("4. Arbitration") gives the title and stays, so its text becomes section 4.
    """
    first_line = blocks[0].split("\n", 1)[0]
    heading = numbered_heading(first_line)
    if heading:
        return heading[1], blocks
    title = short_title(first_line, fallback_title)
    if blocks[0] == first_line and title == first_line:
        return title, blocks[1:]
    return title, blocks


def parse_text(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Parse decoded plain text; forum pages go to the forum reader."""
    if forum_text.looks_like_forum(text):
        return forum_text.parse_forum_document(text, source=source, fallback_title=fallback_title)
    blocks = paragraphs(text)
    title, body = title_and_body(blocks, fallback_title)
    sections = sections_from_text(body, title) if body else [Section(number=None, heading=None, text=title)]
    return ParsedDocument(source=source, title=title, kind="other", sections=sections, format="text")
