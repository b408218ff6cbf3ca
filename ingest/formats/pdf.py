"""PDF reader (pypdf): policy documents saved as PDF, keeping section numbers such as "4.2 Who pays"."""

from __future__ import annotations

import logging
import re
from collections import Counter
from io import BytesIO

from pypdf import PdfReader

from ingest.documents import ParsedDocument, Section, UnreadableSource
from ingest.formats._textutil import normalize, numbered_heading
from ingest.formats.text import sections_from_text, title_and_body

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*(?:(?:of|/)\s*\d{1,4})?\s*[-–—]?$", re.IGNORECASE)
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_JUNK_TITLES = re.compile(r"^(?:untitled|document\d*|microsoft word - .*|.*\.(?:docx?|pdf|odt|rtf))$", re.IGNORECASE)


def _short(exc: BaseException) -> str:
    message = str(exc).strip().split("\n", 1)[0]
    return (message[:100] or type(exc).__name__).rstrip(".")


def _open(data: bytes) -> PdfReader:
    if b"%PDF-" not in data[:1024]:
        raise UnreadableSource("not a PDF file (no %PDF- header)")
    if b"%%EOF" not in data[-4096:]:
        raise UnreadableSource("PDF could not be read: the file is truncated (no %%EOF at the end)")
    try:
        reader = PdfReader(BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many types for broken files
        raise UnreadableSource(f"PDF could not be read: {_short(exc)}") from None
    if reader.is_encrypted:
        try:
            opened: int = reader.decrypt("")  # a PDF locked only against editing opens with an empty password
        except Exception:  # unsupported cipher (AES without the cryptography package) or a broken key
            opened = 0
        if not opened:
            raise UnreadableSource("PDF is encrypted")
    return reader


def _page_texts(reader: PdfReader) -> list[str]:
    try:
        return [normalize(page.extract_text() or "") for page in reader.pages]
    except Exception as exc:
        raise UnreadableSource(f"PDF could not be read: {_short(exc)}") from None


def _strip_furniture(pages: list[str]) -> list[list[str]]:
    """Drop page numbers, and headers/footers repeated on most pages."""
    lines_per_page = [page.split("\n") for page in pages]
    repeated: set[str] = set()
    if len(pages) >= 3:
        edges = Counter(
            line
            for lines in lines_per_page
            for line in {*lines[:2], *lines[-2:]}
            if line and not numbered_heading(line)
        )
        repeated = {line for line, n in edges.items() if n > len(pages) / 2}
    return [
        [line for line in lines if line not in repeated and not _PAGE_NUMBER.match(line)] for lines in lines_per_page
    ]


def _blocks(lines: list[str]) -> list[str]:
    """Group extracted lines into blocks: each numbered heading line starts one, blank lines end one."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line:
            if blocks[-1]:
                blocks.append([])
        elif numbered_heading(line) and blocks[-1]:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    # Lines stay separate here; ``unwrap`` joins them into sentences later (list items keep their lines).
    return [_HYPHEN_BREAK.sub("", "\n".join(block)) for block in blocks if block]


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:
        return None
    title = normalize(str(title)) if title else ""
    return title if title and not _JUNK_TITLES.match(title) and len(title) <= 200 else None


def _looks_like_title(line: str) -> bool:
    return 0 < len(line.split()) <= 14 and len(line) <= 150 and not line.endswith((".", ",", ";", ":"))


def parse_pdf(data: bytes, *, source: str, fallback_title: str) -> ParsedDocument:
    """Read a PDF's text into numbered sections (or paragraph groups when it has no numbering)."""
    reader = _open(data)
    pages = _page_texts(reader)
    if not any(page.strip() for page in pages):
        raise UnreadableSource("PDF has no extractable text (scanned image?)")
    lines = [line for page in _strip_furniture(pages) for line in page]  # sentences run across pages
    blocks = _blocks(lines)
    if not blocks:
        raise UnreadableSource("PDF has no extractable text (scanned image?)")

    meta_title = _metadata_title(reader)
    if meta_title:
        first = blocks[0].split("\n", 1)
        if first[0].strip().lower() == meta_title.lower():  # the title line printed on page 1
            blocks = [first[1], *blocks[1:]] if len(first) > 1 else blocks[1:]
        title, body = meta_title, blocks
    else:
        first_line, _, rest = blocks[0].partition("\n")
        if numbered_heading(first_line):
            title, body = title_and_body(blocks, fallback_title)
        elif _looks_like_title(first_line):
            # In extracted PDF text the title line runs straight into the first paragraph.
            title, body = first_line, ([rest] if rest else []) + blocks[1:]
        else:
            title, body = fallback_title, blocks
    sections = sections_from_text(body, title) if body else [Section(number=None, heading=None, text=title)]
    return ParsedDocument(source=source, title=title, kind="other", sections=sections, format="pdf")
