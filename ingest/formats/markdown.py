"""Markdown reader.

Reads knowledge-base policy guides (front matter, numbered sections, facts comments), forum threads saved
as Markdown (``kind: forum``), and ordinary Markdown files.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from dispute_desk.models import KINDS
from ingest.documents import ParsedDocument, Section, UnreadableSource
from ingest.formats import forum_text
from ingest.formats._textutil import group_paragraphs, iso_date, normalize, unwrap

log = logging.getLogger(__name__)

_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_META_COMMENT = re.compile(r"^<!--\s*(.*?)\s*-->$", re.DOTALL)
_ASKS_COMMENT = re.compile(r"<!--\s*asks:\s*(.*?)-->", re.DOTALL | re.IGNORECASE)
_HEADING_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)\.?\s+(\S.*)$|^(\d{1,3})\.\s+(\S.*)$")

# Inline Markdown, removed lightly: the words stay, the markers go.
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEFINITION = re.compile(r"^\[[^\]]+\]:\s+\S+")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`+([^`]+?)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_BULLET = re.compile(r"^[*+]\s+")
_QUOTE = re.compile(r"^(?:>\s?)+")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")

# libyaml's safe loader when PyYAML was built with it (several times faster on big re-ingests)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Block:
    level: int  # 0 = text before the first heading
    heading: str | None
    lines: list[str] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """Split YAML front matter from the body: (mapping or None when there is none, body).

    Raises UnreadableSource naming the line for malformed front matter.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise UnreadableSource("front matter opened with --- on line 1 is never closed with ---")
    block = "\n".join(lines[1:end])
    try:
        _refuse_aliases(block)
        data = yaml.load(block, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1 for the opening ---, +1 to count from 1
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        raise UnreadableSource(f"malformed front matter at line {line}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UnreadableSource(
            f"malformed front matter at line 2: expected 'key: value' lines, got a {type(data).__name__}"
        )
    return data, "\n".join(lines[end + 1 :])


def _refuse_aliases(block: str) -> None:
    """Refuse YAML aliases (``*name``) before loading: a few hundred bytes of nested aliases expand to
    gigabytes (a "billion laughs" bomb). Front matter never needs them; the event scan only runs when the
    block has a ``*`` at all, so ordinary front matter costs nothing extra.
    """
    if "*" not in block:
        return
    for event in yaml.parse(block, Loader=_SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 2 if event.start_mark is not None else 2
            raise UnreadableSource(
                f"front matter uses a YAML alias (*{event.anchor}) at line {line}; write the value out instead"
            )


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _phrasings(value: Any) -> tuple[str, ...]:
    """Front-matter ``asks``: a list of phrasings (a lone string is one phrasing, commas and all)."""
    items = _as_list(value) if isinstance(value, (list, tuple)) else [str(value).strip()] if value else []
    return tuple(dict.fromkeys(items))


def _split_headings(body: str) -> list[_Block]:
    blocks = [_Block(0, None)]
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
        elif not in_fence:
            match = _ATX_HEADING.match(line.strip())
            if match and len(match.group(1)) <= 3 and match.group(2):
                blocks.append(_Block(len(match.group(1)), plain_inline(match.group(2))))
                continue
        blocks[-1].lines.append(line)
    return blocks


def split_heading_number(heading: str) -> tuple[str | None, str]:
    """('4.2', 'Who pays') for '4.2 Who pays', ('4', 'Arbitration') for '4. Arbitration'."""
    match = _HEADING_NUMBER.match(heading.strip())
    if not match:
        return None, heading.strip()
    number = match.group(1) or match.group(3)
    rest = match.group(2) or match.group(4)
    return number, rest.strip()


def plain_inline(text: str) -> str:
    """Inline Markdown to plain words: links keep their text, emphasis and code markers go."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _EMPHASIS_STAR.sub(r"\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", text)


def plain_text(markdown: str) -> str:
    """Markdown block text to plain text with paragraph breaks; comments removed."""
    out: list[str] = []
    in_fence = False
    for raw in _COMMENT.sub("", markdown).split("\n"):
        line = raw.strip()
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append("")
            continue
        if in_fence:
            out.append(line)
            continue
        line = _QUOTE.sub("", line)
        if _RULE.match(line) or _TABLE_SEPARATOR.match(line) or _REF_DEFINITION.match(line):
            out.append("")
            continue
        heading = _ATX_HEADING.match(line)
        if heading:  # a level 4+ heading inside a section: its words stay as their own paragraph
            out.extend(["", heading.group(2), ""])
            continue
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            # A table row becomes its own line of cells.
            cells = " | ".join(plain_inline(cell.strip()) for cell in line.strip("|").split("|"))
            out.extend(["", cells, ""])
            continue
        out.append(plain_inline(_BULLET.sub("- ", line)))
    return unwrap(normalize("\n".join(out)))


def _section_meta(lines: list[str]) -> tuple[dict[str, str] | None, list[str]]:
    """Parse the ``<!-- facts: ... | url: ... | as_of: ... -->`` comment right under a heading."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _META_COMMENT.match(line.strip())
        if not match:
            return None, lines
        fields: dict[str, str] = {}
        for part in match.group(1).split("|"):
            key, sep, value = part.partition(":")
            if sep:
                fields[key.strip().lower().replace("-", "_")] = value.strip()
        if not fields.keys() & {"facts", "url", "urls", "as_of"}:
            return None, lines
        return fields, lines[i + 1 :]
    return None, lines


def section_asks(lines: list[str]) -> tuple[str, ...]:
    """The member phrasings of an ``<!-- asks: - ... -->`` block among a section's lines (one per ``-`` line)."""
    match = _ASKS_COMMENT.search("\n".join(lines))
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
    urls = _as_list(meta.get("urls"))
    urls += [u for u in _as_list(meta.get("url")) if u not in urls]  # a single `url:` key works too
    as_of = iso_date(meta.get("as_of"))
    front_title = str(meta["title"]).strip() if meta.get("title") else None
    common: dict[str, Any] = {
        "source": source,
        "kind": kind,
        "url": urls[0] if urls else None,
        "urls": tuple(urls),
        "as_of": as_of,
        "date": iso_date(meta.get("date")),
        "facts": tuple(_as_list(meta.get("facts"))),
        "asks": _phrasings(meta.get("asks")),
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
    blocks = _split_headings(body)
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
        found, lines = _section_meta(block.lines) if block.level else (None, block.lines)
        meta = found or {}
        text = plain_text("\n".join(lines))
        if block.level == 0 or block is first_h1:
            # Text before the first section: the document's own intro passage.
            if text:
                sections.append(
                    Section(
                        number=doc_number,
                        heading=title,
                        text=text,
                        url=urls[0] if urls else None,
                        urls=tuple(urls),
                        as_of=as_of,
                    )
                )
            continue
        number, heading = split_heading_number(block.heading or "")
        section_urls = _as_list(meta.get("url") or meta.get("urls")) or urls
        if not text:
            if meta:
                log.warning("section %s has a facts comment but no text", heading)
            continue
        sections.append(
            Section(
                number=number,
                heading=heading or None,
                text=text,
                facts=tuple(_as_list(meta.get("facts"))),
                url=section_urls[0] if section_urls else None,
                urls=tuple(section_urls),
                as_of=iso_date(meta.get("as_of")) or as_of,
                asks=section_asks(lines),
            )
        )
    return sections
