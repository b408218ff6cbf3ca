"""HTML fragments to plain text with selectolax: paragraphs, list items, quotes and (optionally) headings."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.formats._textutil import normalize

_SKIP = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "button", "form", "input", "select", "textarea",
        "iframe", "head", "img", "video", "audio", "canvas", "object", "embed", "meta", "link",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "table",
        "thead", "tbody", "tfoot", "aside", "header", "footer", "figure", "figcaption", "details", "summary",
        "address", "nav", "center", "hr", "fieldset",
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def parse(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def node_text(node: LexborNode | None) -> str:
    """Return the element's visible text on one line ('' for None)."""
    if node is None:
        return ""
    return " ".join(node.text(deep=True, separator=" ").split())


def html_to_text(
    node: LexborNode,
    *,
    headings: bool = False,
    skip_classes: frozenset[str] = frozenset(),
) -> str:
    """Convert an element's content to text with paragraph breaks.

    List items become "- " lines; with ``headings`` h1-h3 become Markdown "#" lines so the Markdown
    sectioning can split on them (h4-h6 stay plain lines). Elements with a class in ``skip_classes`` are
    left out. Iterative, so deeply nested markup cannot exhaust the stack.
    """
    out: list[str] = []
    stack: list[LexborNode | str] = list(reversed(list(node.iter(include_text=True))))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        tag = item.tag
        if tag == "-text":
            out.append(_WHITESPACE.sub(" ", item.text(deep=False) or ""))
            continue
        if not tag or tag.startswith("-") or tag in _SKIP or (skip_classes and classes(item) & skip_classes):
            continue
        if tag == "br":
            out.append("\n")
            continue
        children = list(item.iter(include_text=True))
        if tag in _HEADINGS:
            level = _HEADINGS[tag]
            prefix = "#" * level + " " if headings and level <= 3 else ""
            opening, closing = f"\n\n{prefix}", "\n\n"
        elif tag == "li":
            opening, closing = "\n- ", ""
        elif tag == "tr":
            opening, closing = "\n", "\n"
        elif tag in ("td", "th"):
            opening, closing = "", " | "
        elif tag in _BLOCKS:
            opening, closing = "\n\n", "\n\n"
        else:
            opening, closing = "", ""
        out.append(opening)
        stack.append(closing)
        stack.extend(reversed(children))
    lines = [line.strip().removesuffix(" |").removesuffix("|").strip() for line in "".join(out).split("\n")]
    return normalize("\n".join(lines))
