"""Forum threads as text copied from a Khoros/Lithium community page (the Upwork community, for one).

The expected shape, tolerant of the noise real copies carry::

    » Forums » Freelancers » Thread title
    Thread title

    user_name
    Community Member
    Mar 14, 2026 09:12 AM
    The question...

    other_user
    Moderator
    Mar 15, 2026 08:02 AM
    The answer...
    ~ Signature
    Accepted Solution

    Page options
    Latest Articles ...

A post starts at a user name line followed by a known role line; post 0 is the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.documents import ParsedDocument, Post, UnreadableSource
from ingest.formats._textutil import normalize, parse_date, unwrap

POST_LAYOUT_HINT = "a post starts with a user name line followed by a role line such as 'Community Member'"

_ROLES: dict[str, str] = {
    "community member": "member",
    "active member": "member",
    "new member": "member",
    "community guru": "member",
    "community leader": "member",
    "community ambassador": "member",
    "ace poster": "member",
    "moderator": "moderator",
    "community manager": "moderator",
    "community moderator": "moderator",
    "upwork moderator": "moderator",
    "upwork community manager": "moderator",
    "upwork staff": "staff",
    "support team": "staff",
    "upwork support": "staff",
    "upwork support team": "staff",
    "team member": "staff",
    "upwork team member": "staff",
}

_END_MARKERS = re.compile(
    r"^(?:page options|latest articles|top upvoted members|upcoming events|related content|related articles|"
    r"related topics|similar topics|suggested topics|top kudoed (?:authors|members)|trending articles|"
    r"recent discussions|latest discussions|you might also like)\s*:?$",
    re.IGNORECASE,
)
_ACCEPTED = re.compile(r"^[✓✔☑✅]?\s*(?:accepted (?:solution|answer)|solution)[.!]?$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^~\s*[^\d\s~]")
_BOILERPLATE = re.compile(
    r"^(?:reply|quote|like|share|report|options|kudos|kudo|edited|translate|helpful|permalink|print|bookmark|"
    r"subscribe|mute|mark as new|mark as read|report inappropriate content|email to a friend|"
    r"subscribe to rss feed|back to (?:top|list)|all forum topics|previous topic|next topic|go to solution\.?|"
    r"solved!?(?:\s+go to solution\.?)?|view solution in original post|message \d+ of \d+|"
    r"(?:reply|kudos|likes?|replies|views?)\s*\(?\d+\)?|\d+\s*(?:kudos|kudo|likes?|replies|reply|views?)|"
    r"\d+|[-–—•|·]+)$",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^(?:[»›]|(?:.{0,40}\s)?(?:forums?|community|discussions?)\s*[»›])", re.IGNORECASE)
_CRUMB_SPLIT = re.compile(r"\s*[»›]\s*")
_INITIAL = re.compile(r"\s[A-Z]\.$")  # "Petra R." is a user name, not the end of a sentence


@dataclass
class ForumThread:
    title: str | None
    posts: list[Post] = field(default_factory=list)
    breadcrumb: tuple[str, ...] = ()


def role_for(rank: str) -> str | None:
    """'member' / 'moderator' / 'staff' for a known community rank, else None."""
    return _ROLES.get(normalize(rank).strip(" :|").lower())


def is_boilerplate(line: str) -> bool:
    """Tell whether a line is page furniture (reply buttons, kudos counters, solution links), not post text."""
    return bool(_BOILERPLATE.match(line.strip()))


def is_accepted_marker(line: str) -> bool:
    return bool(_ACCEPTED.match(line.strip()))


def is_signature(line: str) -> bool:
    line = line.strip()
    return bool(_SIGNATURE.match(line)) and len(line) <= 80


def _is_author(line: str) -> bool:
    line = line.strip()
    return (
        0 < len(line) <= 40
        and len(line.split()) <= 4
        and role_for(line) is None
        and not is_boilerplate(line)
        and not is_accepted_marker(line)
        and not _BREADCRUMB.match(line)
        and parse_date(line) is None
        and (not line.endswith((".", "?", "!", ":", ",")) or bool(_INITIAL.search(line)))
    )


def _post_starts(lines: list[str]) -> list[int]:
    return [i for i in range(len(lines) - 1) if role_for(lines[i + 1]) and _is_author(lines[i])]


def looks_like_forum(text: str) -> bool:
    """Tell whether text reads like a copied forum page (a breadcrumb, or user name + role lines)."""
    lines = normalize(text[:200_000]).split("\n")
    head = [line for line in lines if line][:8]
    if any(_BREADCRUMB.match(line) for line in head):
        return True
    starts = _post_starts(lines)
    dated = [i for i in starts if i + 2 < len(lines) and parse_date(lines[i + 2])]
    return len(dated) >= 1 or len(starts) >= 2


def _title(head: list[str]) -> tuple[str | None, tuple[str, ...]]:
    head = [line for line in head if line and not is_boilerplate(line)]
    crumb_at = next((i for i, line in enumerate(head) if _BREADCRUMB.match(line)), None)
    if crumb_at is None:
        candidates = [line for line in head if len(line) <= 200]
        return (candidates[-1] if candidates else None), ()
    crumbs = tuple(c for c in _CRUMB_SPLIT.split(head[crumb_at]) if c)
    after = head[crumb_at + 1 :]
    if after and len(after[0]) <= 200:
        return after[0], crumbs
    return (crumbs[-1] if crumbs else None), crumbs


def clean_body(lines: list[str], title: str | None) -> tuple[str, bool]:
    """Drop signatures, page furniture and repeated thread titles from a post; report a solution marker."""
    accepted = False
    kept: list[str] = []
    repeats = {title.lower(), f"re: {title}".lower()} if title else set()
    for line in lines:
        if is_accepted_marker(line):
            accepted = True
        elif is_signature(line) or is_boilerplate(line) or line.lower() in repeats:
            continue
        else:
            kept.append(line)
    return unwrap("\n".join(kept)), accepted


def parse_thread(text: str) -> ForumThread:
    """Split forum page text into its title and posts (empty ``posts`` when none are found)."""
    lines = normalize(text).split("\n")
    starts = _post_starts(lines)
    if not starts:
        title, crumbs = _title(lines[:20])
        return ForumThread(title=title, breadcrumb=crumbs)
    end = next((i for i in range(starts[0], len(lines)) if _END_MARKERS.match(lines[i])), len(lines))
    starts = [s for s in starts if s < end]
    title, crumbs = _title(lines[: starts[0]])

    posts: list[Post] = []
    question_empty = False
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else end
        author, role = lines[start], role_for(lines[start + 1]) or "member"
        cursor = start + 2
        date = parse_date(lines[cursor]) if cursor < stop else None
        while cursor < stop and parse_date(lines[cursor]):  # posted and edited dates
            cursor += 1
        body, accepted = clean_body(lines[cursor:stop], title)
        if not body and posts:
            continue  # a reply with nothing but furniture in it
        if not posts:
            question_empty = not body
        posts.append(
            Post(
                position=len(posts),
                author=author,
                role=role,
                text=body or title or "",
                accepted=accepted and bool(posts),
                date=date,
            )
        )
    if question_empty and len(posts) == 1:
        posts = []  # a question without text and no answers: nothing to index
    return ForumThread(title=title, posts=posts, breadcrumb=crumbs)


def parse_forum_document(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Build a forum thread document from page text; UnreadableSource when no posts can be found."""
    thread = parse_thread(text)
    if not thread.posts:
        raise UnreadableSource(f"looks like a forum page but no posts were found ({POST_LAYOUT_HINT})")
    return ParsedDocument(
        source=source,
        title=thread.title or fallback_title,
        kind="forum",
        date=thread.posts[0].date,
        posts=thread.posts,
        format="forum-text",
    )
