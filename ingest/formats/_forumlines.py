"""What one line of a copied forum page is: a rank, a user name, a signature, a solution marker, page furniture.

Shared by the readers of forum pages as text (``forum_text``), as HTML (``html``) and as Discourse JSON.
"""

from __future__ import annotations

import re

from ingest.formats._textutil import date_in, normalize, unwrap

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
    r"^(?:latest articles|top upvoted members|upcoming events|related content|related articles|"
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
    r"page options|sign in|upwork community|printer friendly page|float this topic for current user|"
    r"jump to solution|show more|(?:\d+\s+)?(?:upvotes?|helpful votes?)|"
    r"solved!?(?:\s+go to solution\.?)?|view solution in original post|message \d+ of \d+|"
    r"(?:reply|kudos|likes?|replies|views?)\s*\(?\d+\)?|\d+\s*(?:kudos|kudo|likes?|replies|reply|views?)|"
    r"\d+|[-–—•|·]+)$",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^(?:[»›]|(?:.{0,40}\s)?(?:forums?|community|discussions?)\s*[»›])", re.IGNORECASE)
_INITIAL = re.compile(r"\s[A-Z]\.$")  # "Petra R." is a user name, not the end of a sentence
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50\u2764]")
_REACTIONS = re.compile(r"^[\W\d_]+$")  # "👍 3", "❤️ 12": reaction counters, when they hold an emoji

# Where a reply copied without its header begins: an address to someone, or a line quoting a post.
_ADDRESS = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|dear|greetings)\b[ ,]*(?:there|all|everyone|folks|@?\s?[A-Z][\w.'\-]*)"
    r"(?:\s+[A-Z][\w.'\-]*)?\s*(?:[,!:;.]|--|[-–—]|$)"
    r"|@\s?[A-Za-z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*)?\s*(?:[,!:;]|--|[-–—]|$))",
    re.IGNORECASE,
)
_WROTE = re.compile(r"^.{1,60}\s(?:wrote|said|posted):?$", re.IGNORECASE)


def role_for(rank: str) -> str | None:
    """'member' / 'moderator' / 'staff' for a known community rank, else None."""
    return _ROLES.get(normalize(rank).strip(" :|").lower())


def is_boilerplate(line: str) -> bool:
    """Tell whether a line is page furniture (reply buttons, kudos counters, solution links), not post text."""
    line = line.strip()
    if _BOILERPLATE.match(line):
        return True
    return bool(_REACTIONS.match(line) and _EMOJI.search(line))


def is_accepted_marker(line: str) -> bool:
    return bool(_ACCEPTED.match(line.strip()))


def is_signature(line: str) -> bool:
    line = line.strip()
    return bool(_SIGNATURE.match(line)) and len(line) <= 80


def is_address(line: str) -> bool:
    """'Hi Matt,' or '@ Matt --': where a reply copied without its header begins."""
    return bool(_ADDRESS.match(line))


def is_wrote_line(line: str) -> bool:
    """'Petra wrote:': the line above a quoted post."""
    return bool(_WROTE.match(line))


def is_breadcrumb(line: str) -> bool:
    """'» Forums » Freelancers » Title': the trail above a thread."""
    return bool(_BREADCRUMB.match(line))


def is_end_marker(line: str) -> bool:
    """The heading of the page's sidebar ('Latest Articles'): the thread is over."""
    return bool(_END_MARKERS.match(line))


def is_author(line: str) -> bool:
    line = line.strip()
    return (
        0 < len(line) <= 40
        and len(line.split()) <= 4
        and role_for(line) is None
        and not is_boilerplate(line)
        and not is_accepted_marker(line)
        and not is_signature(line)
        and not is_breadcrumb(line)
        and not is_end_marker(line)
        and date_in(line) is None
        and (not line.endswith((".", "?", "!", ":", ",")) or bool(_INITIAL.search(line)))
    )


_SIGN_OFFS = frozenset({"thanks", "thank you", "thx", "ty", "cheers", "regards", "best", "good luck", "hth", "bye"})


def is_lone_name(line: str) -> bool:
    """A user name standing alone above a blank line: one token ('petra_k') or 'Petra R.', not a sign-off."""
    return (
        is_author(line)
        and (len(line.split()) == 1 or bool(_INITIAL.search(line)))
        and line.strip(" !").lower() not in _SIGN_OFFS
    )


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


