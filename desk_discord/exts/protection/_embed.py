"""Pure formatting for the protection check: the question message and the verdict embed (no Discord I/O)."""

from __future__ import annotations

import discord

from desk_discord.render import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FOOTER_LIMIT,
    EMBED_MAX_FIELDS,
    EMBED_TITLE_LIMIT,
    MESSAGE_LIMIT,
    fit_embed,
    pack_lines,
    safe_url,
    truncate,
)
from dispute_desk.protection import Citation, Verdict
from dispute_desk.protection.dates import relative_day
from dispute_desk.protection.rules import Question

STATUS_COLOURS: dict[str, discord.Colour] = {
    "protected": discord.Colour.green(),
    "partly": discord.Colour.gold(),
    "not_protected": discord.Colour.red(),
    "cant_tell": discord.Colour.light_grey(),
}
EFFECT_MARKS = {"protects": "✅", "unprotected": "❌", "voids": "⛔", "uncertain": "❔", "note": "▫️"}
TITLE = "Am I protected?"


def citation_link(citation: Citation) -> str:
    """'[Disputes on fixed-price contracts § 2.5](https://...)', or the bare label without a usable URL."""
    label = f"{citation.title} § {citation.number}".replace("[", "(").replace("]", ")")
    url = safe_url(citation.url)
    return f"[{label}]({url})" if url else label


def question_message(question: Question, *, number: int, intro: bool = False) -> str:
    """The text above the buttons for one question."""
    lines = []
    if intro:
        lines.append(
            f"**{TITLE}** A few questions about your contract; only you can see them. "
            "Answer “I don't know” when you're not sure."
        )
    lines.append(f"**{number}. {question.ask}**")
    if question.help:
        lines.append(question.help)
    return truncate("\n".join(lines), MESSAGE_LIMIT)


def dates_message(labels: list[str]) -> str:
    listed = ", ".join(labels)
    return truncate(
        f"**{TITLE}** Last step: dates make the deadlines exact ({listed}). "
        "Add them (YYYY-MM-DD, all optional) or go straight to your verdict.",
        MESSAGE_LIMIT,
    )


def verdict_embed(verdict: Verdict) -> discord.Embed:
    """Status colour, summary, reasons with cited links, next steps, dates and the disclaimer as footer."""
    embed = discord.Embed(
        title=truncate(f"{TITLE} {verdict.label}", EMBED_TITLE_LIMIT),
        description=truncate(verdict.summary, EMBED_DESCRIPTION_LIMIT),
        colour=STATUS_COLOURS.get(verdict.status, discord.Colour.light_grey()),
    )
    sections: list[tuple[str, list[str]]] = [
        ("These answers contradict each other", [f"• {text}" for text in verdict.contradictions]),
        ("Answer these for a verdict", [f"• {item.question}" for item in verdict.missing]),
        (
            "Why",
            [f"{EFFECT_MARKS.get(r.effect, '▫️')} {r.text} ({citation_link(r.citation)})" for r in verdict.reasons],
        ),
        (
            "Next steps",
            [
                f"{n}. {s.text}" + (f" ({citation_link(s.citation)})" if s.citation else "")
                for n, s in enumerate(verdict.next_steps, start=1)
            ],
        ),
        ("Dates (UTC)", [f"**{d.when}** {d.label} ({relative_day(d.days_left)})" for d in verdict.dates]),
    ]
    for heading, lines in sections:
        for index, block in enumerate(pack_lines(lines)):
            if len(embed.fields) >= EMBED_MAX_FIELDS:
                break
            embed.add_field(name=heading if index == 0 else f"{heading} (continued)", value=block, inline=False)
    embed.set_footer(text=truncate(verdict.disclaimer, EMBED_FOOTER_LIMIT))
    return fit_embed(embed)
