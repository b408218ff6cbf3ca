"""Pure functions that turn core results into what Discord shows, always within Discord's size limits.

Nothing here talks to Discord: every function takes plain values and returns text or a ``discord.Embed``,
so the limits (message 2,000; embed description 4,096, field 1,024, footer 2,048, title 256, total 6,000)
are unit-tested without a client.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from dispute_desk.freshness import checked_label
from dispute_desk.models import Answer, Source

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBED_MAX_FIELDS = 25
THREAD_NAME_LIMIT = 100
ELLIPSIS = "…"

ANSWERED_COLOUR = discord.Colour.teal()
UNANSWERED_COLOUR = discord.Colour.orange()


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is near, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into non-empty parts of at most ``limit`` characters.

    Paragraph, line and word boundaries are preferred over cutting a word.
    """
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        head, text = text[:cut].rstrip(), text[cut:].lstrip()
        if head:
            parts.append(head)
    if text:
        parts.append(text)
    return parts


def safe_url(url: str | None) -> str | None:
    """Return an http(s) URL that cannot break out of a Markdown link, or None."""
    if not url or not re.match(r"https?://", url):
        return None
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def source_line(source: Source) -> str:
    """'**[1]** [Arbitration § 4.2 Who pays](https://...)', or the bare label when there is no link."""
    label = source.label().replace("[", "(").replace("]", ")").replace("\n", " ")
    label = truncate(label, 150)
    url = safe_url(source.url)
    checked = checked_label(source.as_of)
    when = f" · *{checked}*" if checked else ""
    return f"**[{source.number}]** [{label}]({url}){when}" if url else f"**[{source.number}]** {label}{when}"


def pack_lines(lines: Sequence[str], limit: int = EMBED_FIELD_LIMIT) -> list[str]:
    """Group lines into blocks of at most ``limit`` characters (a single long line is truncated)."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            blocks.append(current)
            candidate = line
        current = candidate
    if current:
        blocks.append(current)
    return blocks


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Trim fields, then the description, until the embed is within the 6,000-character total."""
    while len(embed) > EMBED_TOTAL_LIMIT and len(embed.fields) > 1:
        embed.remove_field(len(embed.fields) - 1)
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = truncate(embed.description, max(len(embed.description) - excess, 1))
    return embed


def answer_embed(answer: Answer, *, disclaimer: str, fallback: str) -> discord.Embed:
    """Build the embed under a question: the answer, numbered sources as links, the disclaimer in the footer.

    ``fallback`` is shown when the core gave no text (the kind "I don't know, ask a moderator" message).
    """
    body = answer.text.strip() or fallback
    colour = ANSWERED_COLOUR if answer.answered else UNANSWERED_COLOUR
    embed = discord.Embed(
        title=truncate(answer.question, EMBED_TITLE_LIMIT) or None,
        description=truncate(body, EMBED_DESCRIPTION_LIMIT),
        colour=colour,
    )
    if answer.sources:
        heading = "Sources" if answer.answered else "Closest sources"
        blocks = pack_lines([source_line(s) for s in answer.sources])
        for index, block in enumerate(blocks[:EMBED_MAX_FIELDS]):
            embed.add_field(name=heading if index == 0 else f"{heading} (continued)", value=block, inline=False)
    if not answer.answered:
        embed.add_field(
            name="Need a person?",
            value="Press **Ask a moderator** below and a moderator will take a look.",
            inline=False,
        )
    embed.set_footer(text=truncate(disclaimer, EMBED_FOOTER_LIMIT))
    return fit_embed(embed)


def sources_embed(question: str, sources: Sequence[Source], *, disclaimer: str) -> discord.Embed:
    """Show the cited passages themselves (shown privately by the "Show sources" button)."""
    embed = discord.Embed(
        title=truncate(f"Sources for: {question}", EMBED_TITLE_LIMIT),
        colour=ANSWERED_COLOUR,
    )
    embed.set_footer(text=truncate(disclaimer, EMBED_FOOTER_LIMIT))
    shown = list(sources)[:EMBED_MAX_FIELDS]
    if not shown:
        embed.description = "This answer has no cited passages."
        return embed
    overhead = len(embed) + 300
    per_field = max(200, min(EMBED_FIELD_LIMIT, (EMBED_TOTAL_LIMIT - overhead) // len(shown) - 60))
    for source in shown:
        url = safe_url(source.url)
        link = f"\n<{url}>" if url else ""
        passage = truncate(source.text.replace("\n\n", "\n"), per_field - len(link)) or "(empty passage)"
        name = truncate(f"[{source.number}] {source.label()}", EMBED_FIELD_NAME_LIMIT)
        embed.add_field(name=name, value=passage + link, inline=False)
    return fit_embed(embed)


def thread_name(question: str) -> str:
    """Make a thread title from the question: one line, mentions removed, at most 100 characters."""
    text = re.sub(r"<(@[!&]?|#)\d+>", "", question)
    text = re.sub(r"\s+", " ", text).replace("@", "").strip()
    return truncate(text, THREAD_NAME_LIMIT) or "Dispute Desk answer"


_ANY_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")
_MASS_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
ZERO_WIDTH_SPACE = "\u200b"


def _mention_word(match: re.Match[str]) -> str:
    return {"@&": "a role", "#": "a channel"}.get(match.group(1), "someone")


def neutral_text(text: str) -> str:
    """Quote member-written text safely: ``<@id>``, ``<@&id>``, ``<#id>`` become words, and ``@everyone`` /
    ``@here`` get a zero-width space so Discord neither pings nor renders them as mentions, whatever
    ``allowed_mentions`` says.
    """
    text = _ANY_MENTION.sub(_mention_word, text)
    return _MASS_MENTION.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", text)


def question_from_message(content: str, bot_id: int) -> str:
    """Extract the question from a message: the bot's own mention removed, other mentions made neutral words."""
    content = re.sub(rf"<@!?{bot_id}>", " ", content)
    content = _ANY_MENTION.sub(_mention_word, content)
    return re.sub(r"\s+", " ", content).strip()


def escalation_message(
    *, role_id: int, user_id: int, question: str | None, answer_text: str | None, jump_url: str | None
) -> str:
    """Write the one message that pings moderators: who asked, the question, the bot's answer.

    At most 2,000 characters. The quoted texts are neutralised (``neutral_text``): only the two mentions
    written here remain. ``question`` is None for a private question: only that help was requested
    is said.
    """
    head = f"<@&{role_id}> <@{user_id}> would like a moderator's help"
    if question is None:
        return f"{head} with a question they asked privately. Please get in touch with them."
    link = f" ([answer]({jump_url}))" if jump_url and safe_url(jump_url) else ""
    head += f"{link}."
    room = MESSAGE_LIMIT - len(head) - 40
    quoted_q = truncate(neutral_text(question), min(600, room // 2))
    quoted_a = truncate(neutral_text(answer_text or "(no answer)"), room - len(quoted_q))
    block_q = "\n".join(f"> {line}" for line in quoted_q.splitlines() or [""])
    block_a = "\n".join(f"> {line}" for line in quoted_a.splitlines() or [""])
    text = f"{head}\n**Question**\n{block_q}\n**Bot's answer**\n{block_a}"
    return truncate(text, MESSAGE_LIMIT)
