"""One file in, one ``ParsedDocument`` out: ``read_source`` picks the format reader in ``ingest/formats/``.

It chooses by suffix and then by content: a ``.txt`` or ``.md`` copied from a forum page becomes a forum
thread, an ``.html`` page from a Khoros or Discourse forum becomes a thread, any other page a generic article;
``.json`` must be a Discourse topic. The readers never import this module (checked by import-linter), so
``ingest.formats`` stays a plain package of readers with no import cycle through its ``__init__``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ingest.documents import ParsedDocument, UnreadableSource
from ingest.formats import markdown, text
from ingest.formats._reading import decode_text, read_bytes
from ingest.formats._textutil import title_from_stem

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".json", ".pdf"})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

__all__ = ["SUPPORTED_SUFFIXES", "ParsedDocument", "UnreadableSource", "read_policy", "read_source"]


def read_source(path: Path, *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Read one file into a ParsedDocument.

    ``source`` is the id stored with the document (default: ``str(path)``). Raises ``UnreadableSource``
    for anything that cannot be ingested; no other exception escapes for bad input.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        raise UnreadableSource(f"unsupported file type {shown} (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    source = str(path) if source is None else source
    fallback_title = title_from_stem(path.stem)
    data = read_bytes(path, max_bytes)
    try:
        return _parse(data, suffix, source=source, fallback_title=fallback_title)
    except UnreadableSource:
        raise
    except Exception as exc:  # a parser bug or a parser library choking: still one line for the moderator
        log.warning("could not parse %s", source, exc_info=True)
        detail = str(exc).split("\n", 1)[0][:120] or type(exc).__name__
        raise UnreadableSource(f"could not parse {suffix} file: {detail}") from exc


def read_policy(path: Path) -> ParsedDocument | None:
    """A policy file cited by the protection rules, read as the index reads it; None (logged) when the file is
    missing or unreadable. Front ends pass this to ``ProtectionCheck.load``: the core never imports ``ingest``.
    """
    if not path.is_file():
        return None
    try:
        return read_source(path)
    except UnreadableSource as exc:
        log.warning("cannot read cited policy file %s: %s", path, exc)
        return None


def _parse(data: bytes, suffix: str, *, source: str, fallback_title: str) -> ParsedDocument:
    if suffix == ".pdf":
        from ingest.formats import pdf  # pypdf is only imported when a PDF shows up

        return pdf.parse_pdf(data, source=source, fallback_title=fallback_title)

    content = decode_text(data)
    if suffix in (".md", ".markdown"):
        return markdown.parse_markdown(content, source=source, fallback_title=fallback_title)
    if suffix == ".txt":
        return text.parse_text(content, source=source, fallback_title=fallback_title)
    if suffix in (".html", ".htm"):
        from ingest.formats import html  # trafilatura is slow to import: load it on first use

        return html.parse_html(content, source=source, fallback_title=fallback_title)
    return _parse_json(content, source=source, fallback_title=fallback_title)


def _parse_json(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    from ingest.formats import discourse

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = exc.msg.removesuffix(" starting at")
        raise UnreadableSource(f"not valid JSON (line {exc.lineno}, column {exc.colno}): {message}") from None
    return discourse.parse_topic(data, source=source, fallback_title=fallback_title)
