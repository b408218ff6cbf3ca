"""What format readers produce: a parsed source document, before chunking.

Every reader in ``ingest/formats/`` turns one file into a ``ParsedDocument`` (or raises ``UnreadableSource``
with a one-line reason). The chunker then turns it into ``Chunk``s for the index.

- A policy document is a list of ``Section``s (number, heading, text, per-section metadata).
- A forum thread is a list of ``Post``s; post 0 is the question.
- Anything else (plain text, a generic article) is a list of sections without numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class UnreadableSource(Exception):
    """A file that cannot be ingested; ``str(exc)`` is the one-line reason shown to the moderator."""


@dataclass
class Section:
    number: str | None  # "3.2", or None when the text has no numbering
    heading: str | None  # "Response deadlines"
    text: str
    facts: tuple[str, ...] = ()
    url: str | None = None  # overrides the document's URL for this section
    urls: tuple[str, ...] = ()
    as_of: str | None = None
    asks: tuple[str, ...] = ()  # member phrasings of what the section answers: searched, never shown

    @property
    def label(self) -> str | None:
        """'3.2 Response deadlines', '3.2', 'Response deadlines' or None."""
        parts = [p for p in (self.number, self.heading) if p]
        return " ".join(parts) if parts else None


@dataclass
class Post:
    position: int  # 0 = the question post
    author: str | None
    role: str  # "member" | "staff" | "moderator" | "unknown" (a reply copied without its header)
    text: str
    accepted: bool = False
    date: str | None = None


@dataclass
class ParsedDocument:
    source: str  # path relative to the knowledge folder when inside it, else absolute (never cwd-relative)
    title: str
    kind: str  # policy | forum | faq | other
    url: str | None = None
    urls: tuple[str, ...] = ()
    as_of: str | None = None
    date: str | None = None
    facts: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()  # a thread's member phrasings (front matter ``asks:``)
    sections: list[Section] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    format: str = "text"  # which reader produced it: markdown, text, forum-text, html, discourse, pdf
