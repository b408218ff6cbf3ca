"""YAML front matter of Markdown files: split from the body, loaded safely, its list fields read loosely."""

from __future__ import annotations

from typing import Any

import yaml

from ingest.documents import UnreadableSource

# libyaml's safe loader when PyYAML was built with it (several times faster on big re-ingests)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def as_list(value: Any) -> list[str]:
    """A YAML list, or a comma-separated string, as a list of non-empty strings."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def phrasings(value: Any) -> tuple[str, ...]:
    """Front-matter ``asks``: a list of phrasings (a lone string is one phrasing, commas and all)."""
    items = as_list(value) if isinstance(value, (list, tuple)) else [str(value).strip()] if value else []
    return tuple(dict.fromkeys(items))
