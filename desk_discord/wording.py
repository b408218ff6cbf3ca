"""Fixed wording of the Discord front end that is not in ``prompts/`` (Discord-specific situations).

A prompts file with the same name (``prompts/<name>.txt``) overrides the default here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

DEFAULTS: dict[str, str] = {
    "dm_refused": (
        "I only answer questions in the server, so others can learn from them too. Use `/ask` there "
        "(add `ephemeral: True` if you'd rather nobody else sees your question)."
    ),
    "cooldown": "You're asking quickly! Please wait {seconds} s before your next question.",
    "error": (
        "Sorry, something went wrong on my side and I couldn't finish that. Please try again in a minute; "
        "if it keeps happening, tell a moderator."
    ),
    "not_moderator": "Only moderators (Manage Server or the moderator role) can use this command.",
    "guild_only": "This command only works inside a server.",
    "no_index": "The knowledge base isn't ready yet. A moderator needs to run `/reindex` first.",
    "writing": "✍️ *Writing an answer from the sources… citations are checked before it is final.*",
    # The privacy guard: what was found is named by kind only ("an e-mail address"), never repeated.
    "private_dm": (
        "🔒 Your message includes {details}, so I've sent my answer to you privately by DM. You may want to "
        "edit those details out of your message: this channel is public."
    ),
    "private_no_dm": (
        "🔒 Your message includes {details}, so I won't answer it here, and I can't DM you. Ask me with `/ask` "
        "and `ephemeral: True` for an answer only you can see, and consider editing those details out: this "
        "channel is public."
    ),
    "private_slash": (
        "🔒 Your question includes {details}, so I answered privately: only you can see this answer. Leave such "
        "details out when you ask in public."
    ),
}


class _HasTexts(Protocol):
    @property
    def extra(self) -> Mapping[str, str]: ...


def say(texts: _HasTexts, name: str, **values: object) -> str:
    """Return the text called ``name``: from ``prompts/`` when present there, else the default above."""
    text = texts.extra.get(name) or DEFAULTS[name]
    return text.format(**values) if values else text
