"""Text for moderators: ingest summaries, ``/kb status`` and ``/kb gaps`` (pure, within Discord limits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from desk_discord.render import EMBED_DESCRIPTION_LIMIT, MESSAGE_LIMIT, fit_embed, neutral_text, truncate
from dispute_desk.desk import DeskStatus
from dispute_desk.journal import AdminAction, Gap
from ingest.pipeline import IngestSummary

REASONS = {
    "weak_evidence": "not answered (weak evidence)",
    "off_topic": "declined (off topic)",
    "answered": "answered",
}
MAX_LISTED_ERRORS = 8
MAX_LISTED_SECTIONS = 10
STALE_SHOWN = 10  # policy sections due a re-check listed in /kb status
PRIVATE_QUESTION = "🔒 *asked privately; the question is not shown*"


def summary_line(summary: IngestSummary) -> str:
    return (
        f"{summary.files} files, {summary.chunks} chunks, {summary.changed} changed "
        f"({summary.added} added, {summary.updated} updated, {summary.removed} removed), "
        f"{len(summary.errors)} errors"
    )


def summary_text(title: str, summary: IngestSummary) -> str:
    mark = "✅" if summary.ok else "⚠️"
    lines = [f"{mark} {title} finished in {summary.seconds:.1f} s: {summary_line(summary)}."]
    if summary.backend_change:
        lines.append(f"• re-encoded {summary.reencoded} unchanged passages: the embedding backend changed "
                     f"({summary.backend_change})")
    for error in summary.errors[:MAX_LISTED_ERRORS]:
        lines.append(f"• `{truncate(error.path, 120)}`: {truncate(error.reason, 200)}")
    if len(summary.errors) > MAX_LISTED_ERRORS:
        lines.append(f"…and {len(summary.errors) - MAX_LISTED_ERRORS} more (see the ingest report).")
    lines += change_lines(summary)
    return truncate("\n".join(lines), MESSAGE_LIMIT)


def change_lines(summary: IngestSummary) -> list[str]:
    """The policy sections added, changed or removed, and the reindex guard's comparison (if it ran)."""
    lines = [f"• policy section {c.change}: {neutral_text(truncate(c.label(), 150))}"
             for c in summary.sections[:MAX_LISTED_SECTIONS]]
    if len(summary.sections) > MAX_LISTED_SECTIONS:
        lines.append(f"…and {len(summary.sections) - MAX_LISTED_SECTIONS} more sections (see the ingest report).")
    guard = summary.guard
    if not guard:
        return lines
    before, after = guard["before"], guard["after"]
    verdict = ("passed" if guard["passed"] else "failed, switched anyway (force)" if guard["forced"]
               else "failed: the new index was not switched on")
    lines.append(
        f"Answer check {verdict}: {guard['questions']} eval questions, fact-in-answer "
        f"{before['answer_fact_rate']:.3f} → {after['answer_fact_rate']:.3f}, decline accuracy "
        f"{before['decline_accuracy']:.3f} → {after['decline_accuracy']:.3f} (allowed drop {guard['max_drop']})."
    )
    for item in guard["regressed"]:
        lines.append(f"• regressed `{truncate(item['id'], 40)}`: {neutral_text(truncate(item['question'], 160))}")
    hidden = guard["regressed_total"] - len(guard["regressed"])
    if hidden > 0:
        lines.append(f"…and {hidden} more regressed (see the ingest report in reports/).")
    return lines


def _last_ingest(data: dict[str, Any] | None) -> str:
    if not data:
        return "no ingest report yet"
    errors = data.get("errors") or []
    return (
        f"{data.get('finished') or 'unknown time'}: {data.get('files', '?')} files, "
        f"{data.get('chunks', '?')} chunks, {len(errors)} errors"
    )


def status_embed(status: DeskStatus, last_action: AdminAction | None) -> discord.Embed:
    embed = discord.Embed(title="Knowledge base status", colour=discord.Colour.blurple())
    embed.add_field(name="Index", value=f"{status.chunks} passages from {status.sources} sources", inline=False)
    embed.add_field(name="Model", value=truncate(str(status.model), 1024), inline=True)
    embed.add_field(name="Store", value=truncate(f"{status.store_mode} · {status.collection}", 1024), inline=True)
    embed.add_field(name="Last ingest", value=truncate(_last_ingest(status.last_ingest), 1024), inline=False)
    if status.backend_note:
        embed.add_field(name="Warning", value=truncate(status.backend_note, 1024), inline=False)
    writer = status.writer
    if writer:
        fallbacks = writer.get("fallbacks") or {}
        why = ", ".join(f"{reason.replace('_', ' ')} {count}" for reason, count in fallbacks.items())
        value = (f"{writer['model']}: {writer['written']} written, {sum(fallbacks.values())} fell back to the "
                 f"quoted answer{f' ({why})' if why else ''}")
        embed.add_field(name="Written answers since start", value=truncate(value, 1024), inline=False)
    stale = status.stale
    if stale:
        lines = [f"• {neutral_text(s.label())}" for s in stale[:STALE_SHOWN]]
        if len(stale) > STALE_SHOWN:
            lines.append(f"… and {len(stale) - STALE_SHOWN} more")
        embed.add_field(name=f"To re-check against the official pages ({len(stale)})",
                        value=truncate("\n".join(lines), 1024), inline=False)
    if last_action is not None:
        result = "ok" if last_action.ok else "failed"
        value = f"{last_action.created_at} by {last_action.actor_name} ({result}): {last_action.detail}"
        embed.add_field(name="Last reindex from Discord", value=truncate(value, 1024), inline=False)
    return fit_embed(embed)


def gaps_embed(gaps: Sequence[Gap]) -> discord.Embed:
    embed = discord.Embed(title="Questions to fill in the knowledge base", colour=discord.Colour.orange())
    if not gaps:
        embed.description = "Nothing yet: no unanswered or 👎 questions recorded."
        return embed
    blocks = []
    for gap in gaps:
        reason = REASONS.get(gap.reason, gap.reason.replace("_", " "))
        votes = f" · 👎 {gap.downvotes}" if gap.downvotes else ""
        question = PRIVATE_QUESTION if gap.private else truncate(" ".join(gap.question.split()), 300)
        when = gap.created_at[:16].replace("T", " ")
        blocks.append(f"**#{gap.question_id}** · {when} · {reason}{votes}\n> {question}")
    description = ""
    for block in blocks:
        candidate = f"{description}\n\n{block}" if description else block
        if len(candidate) > EMBED_DESCRIPTION_LIMIT:
            break
        description = candidate
    embed.description = description
    footer = "Newest first. Add what's missing with /kb add, then check the answer again."
    hidden = sum(gap.private for gap in gaps)
    if hidden:
        footer += f" {hidden} asked privately (only the asker saw them): shown without their text."
    embed.set_footer(text=footer)
    return fit_embed(embed)
