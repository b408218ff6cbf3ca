"""Forum threads as text copied from a Khoros/Lithium community page (the Upwork community, for one).

What a browser copy of a thread really looks like, and what this reader accepts::

    » Forums » Freelancers » Client asked for a refund after I delivered the fina...   <- cut with "..."
    Page options                                   <- page menu, before any post: dropped
    Community Member                               <- a role line with no user name above it
    Mar 14, 2026 09:12 AM
    The question...

    petra_k                                        <- a name standing alone, a blank line above its role
                                                      line (at the end of the previous post's text)
    Community Member
    The answer...

    Hi Matt,                                       <- a reply without any header: starts with an address
    ...                                               ("Hi Matt,", "@ Matt --") or a quote of the question
    ~ Goran                                        <- a signature ends a post

    Latest Articles                                <- the sidebar: everything from here on is dropped
    Top Upvoted Members / Upcoming Events / Jun 25 / event titles / categories

Post 0 is the question; replies carry the role of their header (member, staff, moderator) or "unknown"
when they have none. When no post boundaries can be found at all, the thread text (page furniture removed)
is kept as paragraph groups, titled from the breadcrumb or the first line, rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.documents import ParsedDocument, Post, Section, UnreadableSource
from ingest.formats._forumlines import (
    clean_body,
    is_accepted_marker,
    is_address,
    is_author,
    is_boilerplate,
    is_breadcrumb,
    is_end_marker,
    is_lone_name,
    is_signature,
    is_wrote_line,
    role_for,
)
from ingest.formats._textutil import date_in, group_paragraphs, normalize

POST_LAYOUT_HINT = "a post starts with a role line such as 'Community Member', usually under a user name"
UNKNOWN = "unknown"  # the role of a reply copied without its header

# Readers of forum HTML and Discourse JSON use these line heuristics through this module too.
__all__ = ["POST_LAYOUT_HINT", "UNKNOWN", "ForumThread", "clean_body", "is_accepted_marker", "is_signature",
           "looks_like_forum", "parse_forum_document", "parse_thread", "role_for", "thread_document"]

_CRUMB_SPLIT = re.compile(r"\s*[»›]\s*")
_TRUNCATED = re.compile(r"\s*(?:\.{3}|…)$")


@dataclass
class ForumThread:
    title: str | None
    posts: list[Post] = field(default_factory=list)
    breadcrumb: tuple[str, ...] = ()
    paragraphs: list[str] = field(default_factory=list)  # the thread text, for when no posts were found


def _blank(lines: list[str], i: int) -> bool:
    return i < 0 or i >= len(lines) or not lines[i]


@dataclass(frozen=True)
class _Header:
    start: int  # first line of the header (the user name, or the role line when there is no name)
    body: int  # first line after the role and date lines
    author: str | None
    role: str
    date: str | None


def _headers(lines: list[str]) -> list[_Header]:
    """Every post header: [user name] role line [date lines], the name right above or a paragraph above."""
    headers: list[_Header] = []
    for i, line in enumerate(lines):
        role = role_for(line) if line else None
        if role is None or (headers and i < headers[-1].body):
            continue
        author, start = None, i
        if not _blank(lines, i - 1):
            if not (is_author(lines[i - 1]) and _blank(lines, i - 2)):
                continue  # a rank word inside running text
            author, start = lines[i - 1], i - 1
        elif not _blank(lines, i - 2) and is_lone_name(lines[i - 2]):
            # The name a blank line above its role line, often right under the previous post's last line
            # once the Reply/Kudos buttons between them are gone.
            author, start = lines[i - 2], i - 2
        if headers and start < headers[-1].body:
            continue
        body = i + 1
        date = None
        while body < len(lines) and lines[body] and date_in(lines[body]):
            date = date or date_in(lines[body])
            body += 1
        headers.append(_Header(start, body, author, role, date))
    return headers


def looks_like_forum(text: str) -> bool:
    """Tell whether text reads like a copied forum page (a breadcrumb, or post headers)."""
    lines = normalize(text[:200_000]).split("\n")
    head = [line for line in lines if line][:8]
    if any(is_breadcrumb(line) for line in head):
        return True
    headers = _headers(lines)
    return len(headers) >= 2 or any(h.date for h in headers)


def _crumb_title(crumbs: tuple[str, ...]) -> tuple[str | None, bool]:
    """The thread title in the breadcrumb, and whether the page cut it short with '...'."""
    if not crumbs:
        return None, False
    last = crumbs[-1]
    cut = _TRUNCATED.sub("", last)
    return (cut or None), cut != last


def _shown_title(title: str, cut: bool) -> str:
    """A title the page cut mid-word ('... and threa...') ends at its last whole word, with an ellipsis."""
    if not cut:
        return title
    whole = title.rsplit(" ", 1)[0] if " " in title else title
    return f"{whole.rstrip(' ,;:-')}…"


def _split_head(lines: list[str]) -> tuple[str | None, tuple[str, ...], int]:
    """Title, breadcrumb and the index where the thread content starts."""
    nonblank = [i for i, line in enumerate(lines) if line][:8]
    crumb_at = next((i for i in nonblank if is_breadcrumb(lines[i])), None)
    if crumb_at is None:
        return None, (), 0
    crumbs = tuple(c for c in _CRUMB_SPLIT.split(lines[crumb_at]) if c)
    title, cut = _crumb_title(crumbs)
    start = crumb_at + 1
    for i in range(crumb_at + 1, len(lines)):
        line = lines[i]
        if not line or is_boilerplate(line):
            continue
        plain = _THREAD_PREFIX.sub("", line)
        same = title is not None and (
            plain.lower() == title.lower() or (cut and plain.lower().startswith(title.lower()))
        )
        if same:
            return plain, crumbs, i + 1  # the full title line under the breadcrumb
        break
    return (_shown_title(title, cut) if title else None), crumbs, start


_THREAD_PREFIX = re.compile(r"^(?:solved!?:?|re:)\s*", re.IGNORECASE)


@dataclass
class _Segment:
    lines: list[str]
    author: str | None
    role: str
    date: str | None


def _is_quote_of(paragraph: str, earlier: str) -> bool:
    """Tell whether a paragraph repeats the start of an earlier post (a reply quoting it)."""
    words = paragraph.lower().split()
    if len(words) < 6:
        return False
    return " ".join(words[:12]) in " ".join(earlier.lower().split())


def _split_headerless(segment: _Segment, question: str | None) -> list[_Segment]:
    """Cut a segment where a reply without a header begins: after a signature, at an address
    ("Hi Matt,", "@ Matt --"), at "X wrote:", or at a paragraph quoting the question.
    """
    out = [_Segment([], segment.author, segment.role, segment.date)]
    lines = segment.lines
    content_seen = False
    for i, line in enumerate(lines):
        if question is None and len(out) > 1:
            question = "\n".join(out[0].lines)
        starts_paragraph = _blank(lines, i - 1) or is_signature(lines[i - 1])
        furniture = is_boilerplate(line) or is_accepted_marker(line)
        if line and not furniture and starts_paragraph and content_seen:
            quoted = question is not None and _is_quote_of(" ".join(_paragraph_at(lines, i)), question)
            after_signature = any(is_signature(x) for x in out[-1].lines[-3:])
            if after_signature or is_address(line) or is_wrote_line(line) or quoted:
                out.append(_Segment([], None, UNKNOWN, None))
                content_seen = False
                if is_wrote_line(line):
                    continue
                if quoted:
                    out[-1].lines.append("\x00quote")  # the quoted paragraph is dropped below
        if line and not furniture:
            content_seen = True
        out[-1].lines.append(line)
    return [_drop_quote(s) for s in out]


def _paragraph_at(lines: list[str], i: int) -> list[str]:
    end = i
    while end < len(lines) and lines[end]:
        end += 1
    return lines[i:end]


def _drop_quote(segment: _Segment) -> _Segment:
    if segment.lines[:1] != ["\x00quote"]:
        return segment
    rest = segment.lines[1:]
    end = 0
    while end < len(rest) and rest[end]:
        end += 1
    segment.lines = rest[end:]
    return segment


def parse_thread(text: str) -> ForumThread:
    """Split forum page text into its title and posts.

    ``posts`` is empty when no post boundaries can be found; ``paragraphs`` then holds the thread text
    without page furniture, for a paragraph-group fallback.
    """
    lines = normalize(text).split("\n")
    title, crumbs, start = _split_head(lines)
    end = next((i for i in range(start, len(lines)) if is_end_marker(lines[i])), len(lines))
    region = [line for line in lines[start:end] if not is_boilerplate(line) or not line]
    headers = _headers(region)
    if title is None:  # no breadcrumb: the first short line is the title
        at = next((i for i, line in enumerate(region) if line), None)
        if at is not None and len(region[at]) <= 200 and (not headers or at < headers[0].start):
            title = region[at]
            region = region[at + 1 :]
            headers = _headers(region)

    segments: list[_Segment] = []
    first = headers[0].start if headers else len(region)
    if any(line for line in region[:first]):
        segments.append(_Segment(region[:first], None, UNKNOWN, None))
    for k, header in enumerate(headers):
        stop = headers[k + 1].start if k + 1 < len(headers) else len(region)
        segments.append(_Segment(region[header.body : stop], header.author, header.role, header.date))

    posts: list[Post] = []
    question: str | None = None
    for segment in segments:
        for part in _split_headerless(segment, question):
            body, accepted = clean_body(part.lines, title)
            if not body and posts:
                continue  # a reply with nothing but furniture in it
            posts.append(
                Post(
                    position=len(posts),
                    author=part.author,
                    role=part.role,
                    text=body or title or "",
                    accepted=accepted and bool(posts),
                    date=part.date,
                )
            )
            if question is None:
                question = body
    if len(posts) == 1 and not headers:
        posts = []  # no boundary anywhere: not a thread we can split; kept as paragraphs below
    if posts and (not posts[0].text or (len(posts) == 1 and not question)):
        posts = []  # a question without any text: not a thread to split; kept as paragraphs below
    cleaned, _ = clean_body(region, title)
    return ForumThread(title=title, posts=posts, breadcrumb=crumbs, paragraphs=_paragraphs(cleaned))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def parse_forum_document(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Build a forum thread document from page text: posts when they can be told apart, else the thread's
    paragraphs in groups. ``UnreadableSource`` only when there is no text at all.
    """
    thread = parse_thread(text)
    return thread_document(thread, source=source, fallback_title=fallback_title, format="forum-text")


def thread_document(thread: ForumThread, *, source: str, fallback_title: str, format: str) -> ParsedDocument:
    title = thread.title or fallback_title
    if thread.posts:
        return ParsedDocument(
            source=source, title=title, kind="forum", date=thread.posts[0].date, posts=thread.posts, format=format
        )
    if not thread.paragraphs:
        raise UnreadableSource(f"looks like a forum page but has no text ({POST_LAYOUT_HINT})")
    sections = [Section(number=None, heading=None, text=block) for block in group_paragraphs(thread.paragraphs)]
    return ParsedDocument(source=source, title=title, kind="forum", sections=sections, format=format)
