"""Markdown reader.

Reads knowledge-base policy guides (front matter, numbered sections, facts comments), forum threads saved
as Markdown (``kind: forum``), and ordinary Markdown files. The Markdown itself is parsed by markdown-it-py
(CommonMark plus tables and strikethrough); this module walks its token stream into plain-text sections.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from dispute_desk.models import KINDS
from ingest.documents import ParsedDocument, Section, UnreadableSource
from ingest.formats import forum_text
from ingest.formats._frontmatter import as_list, phrasings, split_front_matter
from ingest.formats._textutil import group_paragraphs, iso_date, normalize, split_heading_number, unwrap

log = logging.getLogger(__name__)

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_META_COMMENT = re.compile(r"^<!--\s*(.*?)\s*-->$", re.DOTALL)
_ASKS_COMMENT = re.compile(r"<!--\s*asks:\s*(.*?)-->", re.DOTALL | re.IGNORECASE)
_META_KEYS = frozenset({"facts", "url", "urls", "as_of"})
# Tokens that end a paragraph in the plain text (lists get theirs only at the outermost level).
_BREAKS = frozenset({"blockquote_open", "blockquote_close", "hr", "table_open", "table_close"})

__all__ = ["parse_markdown", "plain_text", "sections_from_markdown", "split_front_matter"]


@functools.cache
def _parser() -> MarkdownIt:
    # Setext headings ("Text" over "---") are off: a rule under a paragraph stays a rule, as authors mean it.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("lheading")


@dataclass
class _Block:
    level: int  # 0 = text before the first heading
    heading: str | None
    lines: list[str] = field(default_factory=list)  # plain-text lines, "" between paragraphs
    comments: list[str] = field(default_factory=list)  # HTML comments, in order
    meta: dict[str, str] | None = None  # the facts comment right under the heading
    started: bool = False  # any content seen yet (the facts comment must come first)

    def text(self) -> str:
        return unwrap(normalize("\n".join(self.lines)))


def _inline(token: Token) -> str:
    """An inline token's words: link and image text stay, emphasis and code markers and comments go."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline(child))
        elif child.type == "html_inline" and not child.content.startswith("<!--"):
            parts.append(child.content)
    return "".join(parts)


def _meta(comment: str) -> dict[str, str] | None:
    """The fields of a ``<!-- facts: ... | url: ... | as_of: ... -->`` comment, or None for another comment."""
    match = _META_COMMENT.match(comment.strip())
    if not match:
        return None
    fields: dict[str, str] = {}
    for part in match.group(1).split("|"):
        key, sep, value = part.partition(":")
        if sep:
            fields[key.strip().lower().replace("-", "_")] = value.strip()
    return fields if fields.keys() & _META_KEYS else None


def _html_block(content: str, block: _Block) -> None:
    if block.level and not block.started and block.meta is None:
        block.meta = _meta(content)
        if block.meta is not None:
            return
    block.comments.extend(_COMMENT.findall(content))
    rest = _COMMENT.sub("", content).strip()
    if rest:  # other raw HTML: its text stays
        block.lines.extend(["", *(line.strip() for line in rest.split("\n")), ""])


def _blocks(body: str, *, split: bool) -> list[_Block]:
    """Walk the token stream into blocks, a new one at each top-level h1-h3 when ``split``."""
    tokens = _parser().parse(body)
    blocks = [_Block(0, None)]
    marker: str | None = None  # the list marker waiting for its item's first line
    row: list[str] | None = None  # the table row being read
    depth = 0  # list nesting
    i = 0
    while i < len(tokens):
        token, block = tokens[i], blocks[-1]
        kind, out = token.type, block.lines
        if kind == "heading_open":
            text = _inline(tokens[i + 1]).strip()
            level = int(token.tag[1:])
            if split and token.level == 0 and level <= 3 and text:
                blocks.append(_Block(level, text))
            elif text:  # a level 4+ heading inside a section: its words stay as their own paragraph
                out.extend(["", text, ""])
                block.started = True
            i += 3
            continue
        if kind == "html_block":
            _html_block(token.content, block)
        elif kind == "inline":
            text = _inline(token)
            if row is not None:
                row.append(text.strip())
            else:
                out.append(f"{marker}{text}" if marker else text)
                marker = None
        elif kind in ("fence", "code_block"):
            out.extend(["", *(line.strip() for line in token.content.split("\n")), ""])
        elif kind == "paragraph_open" or kind == "paragraph_close":
            if not token.hidden:  # paragraphs of a tight list item stay on consecutive lines
                out.append("")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth == 1:  # a nested list stays on the lines right under its item
                out.append("")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                out.append("")
        elif kind == "list_item_open":
            marker = f"{token.info}{token.markup} " if token.info else "- "
        elif kind == "list_item_close":
            marker = None
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            out.extend(["", " | ".join(row), ""])  # a table row becomes its own line of cells
            row = None
        elif kind in _BREAKS:
            out.append("")
        if kind != "html_block":
            block.started = True
        i += 1
    return blocks


def plain_text(markdown: str) -> str:
    """Markdown block text to plain text with paragraph breaks; comments removed, headings kept as text."""
    return _blocks(markdown, split=False)[0].text()


def section_asks(comments: list[str]) -> tuple[str, ...]:
    """The member phrasings of an ``<!-- asks: - ... -->`` comment (one per ``-`` line)."""
    match = _ASKS_COMMENT.search("\n".join(comments))
    if match is None:
        return ()
    asks = (line.strip().lstrip("-*").strip() for line in match.group(1).splitlines())
    return tuple(dict.fromkeys(a for a in asks if a))


def parse_markdown(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Parse Markdown text (already decoded) into a ParsedDocument."""
    text = normalize_newlines(text)
    meta, body = split_front_matter(text)
    if meta is None:
        if forum_text.looks_like_forum(text):
            doc = forum_text.parse_forum_document(text, source=source, fallback_title=fallback_title)
            doc.format = "markdown"
            return doc
        meta = {}

    kind = str(meta.get("kind") or "other").strip().lower()
    if kind not in KINDS:
        raise UnreadableSource(f"front matter kind '{kind}' is not one of {', '.join(KINDS)}")
    urls = as_list(meta.get("urls"))
    urls += [u for u in as_list(meta.get("url")) if u not in urls]  # a single `url:` key works too
    as_of = iso_date(meta.get("as_of"))
    front_title = str(meta["title"]).strip() if meta.get("title") else None
    common: dict[str, Any] = {
        "source": source,
        "kind": kind,
        "url": urls[0] if urls else None,
        "urls": tuple(urls),
        "as_of": as_of,
        "date": iso_date(meta.get("date")),
        "facts": tuple(as_list(meta.get("facts"))),
        "asks": phrasings(meta.get("asks")),
        "format": "markdown",
    }

    if kind == "forum":
        thread = forum_text.parse_thread(body)
        if not thread.posts:  # no post boundaries: keep the thread's text as paragraph groups
            paras = [p for p in plain_text(body).split("\n\n") if p.strip()]
            if not paras:
                raise UnreadableSource("kind: forum but the file has no text")
            sections = [Section(number=None, heading=None, text=block) for block in group_paragraphs(paras)]
            return ParsedDocument(title=front_title or thread.title or fallback_title, sections=sections, **common)
        common["date"] = common["date"] or thread.posts[0].date
        return ParsedDocument(title=front_title or thread.title or fallback_title, posts=thread.posts, **common)

    title, sections = sections_from_markdown(
        body, title=front_title, fallback_title=fallback_title, urls=urls, as_of=as_of
    )
    if kind == "policy":
        for section in sections:
            if section.heading != title and not section.facts:
                log.warning("%s: section %s has no <!-- facts: ... --> comment", source, section.label)
    if not sections:
        raise UnreadableSource("Markdown file has no text")
    return ParsedDocument(title=title, sections=sections, **common)


def sections_from_markdown(
    body: str,
    *,
    title: str | None = None,
    fallback_title: str,
    urls: list[str] | tuple[str, ...] = (),
    as_of: str | None = None,
) -> tuple[str, list[Section]]:
    """Split a Markdown body (no front matter) into sections at its h1-h3 headings.

    Returns the title (``title``, else the first h1 without its number, else ``fallback_title``) and the
    sections. Text before the first h2/h3 is a section headed by the title, numbered like the h1 ("4").
    """
    blocks = _blocks(body, split=True)
    first_h1 = next((b for b in blocks if b.level == 1), None)
    doc_number, h1_title = split_heading_number(first_h1.heading or "") if first_h1 else (None, "")
    title = title or h1_title or fallback_title
    return title, _sections(blocks, first_h1, doc_number, title, list(urls), as_of)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _sections(
    blocks: list[_Block],
    first_h1: _Block | None,
    doc_number: str | None,
    title: str,
    urls: list[str],
    as_of: str | None,
) -> list[Section]:
    sections: list[Section] = []
    for block in blocks:
        text = block.text()
        if block.level == 0 or block is first_h1:
            # Text before the first section: the document's own intro passage.
            if text:
                sections.append(
                    Section(number=doc_number, heading=title, text=text, url=urls[0] if urls else None,
                            urls=tuple(urls), as_of=as_of)
                )
            continue
        meta = block.meta or {}
        number, heading = split_heading_number(block.heading or "")
        section_urls = as_list(meta.get("url") or meta.get("urls")) or urls
        if not text:
            if meta:
                log.warning("section %s has a facts comment but no text", heading)
            continue
        sections.append(
            Section(
                number=number,
                heading=heading or None,
                text=text,
                facts=tuple(as_list(meta.get("facts"))),
                url=section_urls[0] if section_urls else None,
                urls=tuple(section_urls),
                as_of=iso_date(meta.get("as_of")) or as_of,
                asks=section_asks(block.comments),
            )
        )
    return sections
