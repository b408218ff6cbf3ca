"""Discourse topics saved as JSON (what ``/t/<id>.json`` returns): one thread, post 0 is the question."""

from __future__ import annotations

import html
import logging
from typing import Any

from ingest.documents import ParsedDocument, Post, UnreadableSource
from ingest.formats import forum_text
from ingest.formats._htmltext import html_to_text, parse
from ingest.formats._textutil import iso_date, normalize

log = logging.getLogger(__name__)

_REGULAR_POST = 1  # post_type 2/3/4 are moderator actions, small actions ("closed this topic") and whispers
# Image captions ("screenshot 1280×720 85 KB") and link-preview chrome in cooked HTML.
_COOKED_CHROME = frozenset({"meta", "lightbox-wrapper-meta", "onebox-metadata", "source", "mention-group"})


def is_topic(data: Any) -> bool:
    """Tell whether decoded JSON has the shape of a Discourse topic."""
    stream = data.get("post_stream") if isinstance(data, dict) else None
    return isinstance(stream, dict) and isinstance(stream.get("posts"), list)


def cooked_to_text(cooked: str) -> str:
    """Convert a post's rendered HTML to text: paragraphs, list items and quotes kept."""
    tree = parse(cooked)
    root = tree.body or tree.root
    return html_to_text(root, skip_classes=_COOKED_CHROME) if root is not None else ""


def _role(post: dict[str, Any]) -> str:
    if post.get("moderator"):
        return "moderator"
    if post.get("admin") or post.get("staff"):
        return "staff"
    return "member"


def _accepted_number(data: dict[str, Any]) -> int | None:
    accepted = data.get("accepted_answer")
    if isinstance(accepted, dict):
        accepted = accepted.get("post_number")
    return accepted if isinstance(accepted, int) and not isinstance(accepted, bool) else None


def _post_text(post: dict[str, Any]) -> str:
    cooked = post.get("cooked")
    if isinstance(cooked, str) and cooked.strip():
        text = cooked_to_text(cooked)
    elif isinstance(post.get("raw"), str):
        text = normalize(post["raw"])
    else:
        return ""
    lines = [line for line in text.split("\n") if not forum_text.is_signature(line)]
    return normalize("\n".join(lines))


def _readable(post: Any) -> bool:
    if not isinstance(post, dict):
        return False
    if post.get("post_type", _REGULAR_POST) != _REGULAR_POST:
        return False
    return not (post.get("hidden") or post.get("deleted_at") or post.get("user_deleted"))


def parse_topic(data: Any, *, source: str, fallback_title: str) -> ParsedDocument:
    """Build a forum thread document from a decoded Discourse topic."""
    if not is_topic(data):
        raise UnreadableSource("JSON is not a Discourse topic: missing post_stream.posts")
    raw_posts = [p for p in data["post_stream"]["posts"] if _readable(p)]
    raw_posts.sort(key=lambda p: p["post_number"] if isinstance(p.get("post_number"), int) else 1 << 30)
    accepted_number = _accepted_number(data)

    posts: list[Post] = []
    for raw in raw_posts:
        text = _post_text(raw)
        if not text:
            continue
        number = raw.get("post_number")
        accepted = raw.get("accepted_answer") is True or (accepted_number is not None and number == accepted_number)
        author = raw.get("username") or raw.get("name")
        posts.append(
            Post(
                position=len(posts),
                author=str(author) if author else None,
                role=_role(raw),
                text=text,
                accepted=bool(accepted) and bool(posts),  # the question cannot be its own answer
                date=iso_date(raw.get("created_at")),
            )
        )
    if not posts:
        raise UnreadableSource("Discourse topic has no readable posts")
    if raw_posts and raw_posts[0].get("post_number") not in (1, None):
        log.warning("%s: the first post of the topic is missing; post 0 is a reply", source)

    title = data.get("title") or html.unescape(str(data.get("fancy_title") or "")) or fallback_title
    url = data.get("url") if isinstance(data.get("url"), str) and data["url"].startswith("http") else None
    return ParsedDocument(
        source=source,
        title=normalize(str(title)),
        kind="forum",
        url=url,
        urls=(url,) if url else (),
        date=iso_date(data.get("created_at")) or posts[0].date,
        posts=posts,
        format="discourse",
    )
