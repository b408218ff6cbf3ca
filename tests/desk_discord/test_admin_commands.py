"""Moderator commands against the real core: permission checks, /reindex, /kb add|status|gaps, audit log."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from unittest import mock

import discord
import pytest
from discord import app_commands
from discord_mocks import (
    mock_attachment,
    mock_guild,
    mock_interaction,
    mock_member,
    mock_role,
    mock_text_channel,
    sent_kwargs,
)
from filelock import FileLock

from desk_discord.bot import DeskBot
from desk_discord.checks import NotModerator
from dispute_desk.desk import Desk
from dispute_desk.journal import Journal
from dispute_desk.models import Answer
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts

NEW_POLICY = """---
title: Chargebacks
kind: policy
topic: chargebacks
urls: [https://support.example.invalid/chargebacks]
as_of: 2026-11-20
---
# 3. Chargebacks

## 3.1 When a client files a chargeback
<!-- facts: F40 -->
A chargeback is a card payment reversal requested from the client's bank. The marketplace responds to the bank
and may recover the payment from the freelancer if the work was not protected.
"""


@pytest.fixture
async def real_bot(bot_settings: Settings, journal: Journal, texts: Texts, tiny_desk: Desk) -> AsyncIterator[DeskBot]:
    bot = DeskBot(bot_settings, journal=journal, texts=texts, desk=tiny_desk, sync="never")
    await bot.setup_hook()
    yield bot
    await bot.close()


def moderator(guild=None):
    return mock_member(guild=guild or mock_guild(), manage_guild=True, name="Mod Mo")


def admin_commands(bot: DeskBot) -> list[app_commands.Command]:
    found = []
    for cog_name in ("Admin", "Knowledge"):
        cog = bot.get_cog(cog_name)
        found += [c for c in cog.walk_app_commands() if isinstance(c, app_commands.Command)]
    return found


async def passes_checks(command: app_commands.Command, interaction) -> bool:
    try:
        return all([await check(interaction) for check in command.checks])
    except NotModerator:
        return False


async def test_every_admin_command_refuses_members_in_code(bot: DeskBot) -> None:
    commands = admin_commands(bot)
    assert sorted(c.qualified_name for c in commands) == ["kb add", "kb gaps", "kb status", "reindex", "sync"]
    role = mock_role(bot.settings.discord.moderator_role_id)
    for command in commands:
        assert not await passes_checks(command, mock_interaction(bot)), command.qualified_name
        assert await passes_checks(command, mock_interaction(bot, user=moderator())), command.qualified_name
        assert await passes_checks(command, mock_interaction(bot, user=mock_member(roles=[role])))


async def test_refusal_reaches_the_member_privately_and_politely(bot: DeskBot) -> None:
    interaction = mock_interaction(bot)
    await bot.tree.on_error(interaction, NotModerator("moderators only"))
    sent = sent_kwargs(interaction.response.send_message)
    assert sent["content"] == "Only moderators (Manage Server or the moderator role) can use this command."
    assert sent["ephemeral"] is True and sent["allowed_mentions"].to_dict() == {"parse": []}


async def test_unexpected_command_error_is_friendly_and_logged(bot: DeskBot, caplog) -> None:
    interaction = mock_interaction(bot)
    interaction.response.defer.return_value = None
    await interaction.response.defer()
    try:
        {}["chroma exploded"]
    except KeyError as exc:
        error = app_commands.CommandInvokeError(bot.tree.get_command("reindex"), exc)
    await bot.tree.on_error(interaction, error)
    text = sent_kwargs(interaction.followup.send)["content"]
    assert "went wrong on my side" in text and "chroma" not in text
    assert "chroma exploded" in caplog.text and "Traceback" in caplog.text


async def reindex(bot: DeskBot, interaction) -> None:
    cog = bot.get_cog("Admin")
    await cog.reindex.callback(cog, interaction)


async def test_reindex_reports_progress_and_summary_and_serves_the_new_index(
    real_bot: DeskBot, bot_settings: Settings, journal: Journal
) -> None:
    (bot_settings.knowledge_dir / "policy" / "03-chargebacks.md").write_text(NEW_POLICY, encoding="utf-8")
    log_channel = mock_text_channel()
    real_bot.settings = real_bot.settings.updated({"log_channel_id": log_channel.id})
    real_bot.get_channel = lambda channel_id: log_channel if channel_id == log_channel.id else None
    jobs = real_bot.get_cog("Admin").jobs
    real_ingest = jobs.ingest

    def observed_ingest(settings, paths, *, progress, **kwargs):
        def slow_progress(stage, done, total):  # a tiny index is fast: give each report time to show
            progress(stage, done, total)
            time.sleep(0.15)

        return real_ingest(settings, paths, progress=slow_progress, **kwargs)

    jobs.ingest = observed_ingest
    interaction = mock_interaction(real_bot, user=moderator())
    await reindex(real_bot, interaction)

    assert "Reindex started by Mod Mo" in sent_kwargs(interaction.response.send_message)["content"]
    status = interaction.edit_original_response
    edits = [call.kwargs["content"] for call in status.await_args_list]
    assert any(e.startswith("🔄 Reindex: Reading files") for e in edits[:-1])
    assert edits[-1].startswith("✅ Reindex finished")
    assert "3 files" in edits[-1] and "1 changed (1 added" in edits[-1] and "0 errors" in edits[-1]
    assert all(call.kwargs["allowed_mentions"].to_dict() == {"parse": []} for call in status.await_args_list)

    answer = await asyncio.to_thread(real_bot.desk.ask, "What happens when a client files a chargeback with the bank?")
    assert any(s.title == "Chargebacks" for s in answer.sources)
    action = journal.actions(action="reindex")[0]
    assert (action.actor_name, action.ok) == ("Mod Mo", True) and "3 files" in action.detail
    assert (
        "Mod Mo" in sent_kwargs(log_channel.send)["content"] and "/reindex" in sent_kwargs(log_channel.send)["content"]
    )


async def test_second_reindex_is_refused_and_questions_are_answered_meanwhile(real_bot: DeskBot) -> None:
    jobs = real_bot.get_cog("Admin").jobs
    release, started = threading.Event(), threading.Event()
    real_ingest = jobs.ingest

    def slow_ingest(*args, **kwargs):
        started.set()
        release.wait(10)
        return real_ingest(*args, **kwargs)

    jobs.ingest = slow_ingest
    first = asyncio.create_task(reindex(real_bot, mock_interaction(real_bot, user=moderator())))
    await asyncio.to_thread(started.wait, 10)

    second = mock_interaction(real_bot, user=moderator())
    await reindex(real_bot, second)
    refusal = sent_kwargs(second.response.send_message)
    assert "already working on a reindex started by Mod Mo" in refusal["content"] and refusal["ephemeral"] is True

    asking = mock_interaction(real_bot)
    ask_cog = real_bot.get_cog("Ask")
    await ask_cog.ask.callback(ask_cog, asking, question="Who pays for arbitration?", ephemeral=False)
    assert "Arbitration" in sent_kwargs(asking.followup.send)["embed"].fields[0].value  # old index still serving

    release.set()
    await asyncio.wait_for(first, 30)
    assert jobs.current is None


async def test_reindex_while_a_cli_ingest_holds_the_lock_is_refused_politely(real_bot: DeskBot) -> None:
    lock = FileLock(str(real_bot.settings.lock_path))
    with lock:
        interaction = mock_interaction(real_bot, user=moderator())
        await reindex(real_bot, interaction)
    last = interaction.edit_original_response.await_args.kwargs["content"]
    assert "Another ingestion is already running" in last and "Nothing was changed" in last


async def kb_add(bot: DeskBot, interaction, attachment, replace: bool = False) -> None:
    cog = bot.get_cog("Knowledge")
    await cog.add.callback(cog, interaction, file=attachment, replace=replace)


async def test_kb_add_saves_under_uploads_and_ingests(real_bot: DeskBot, bot_settings: Settings) -> None:
    interaction = mock_interaction(real_bot, user=moderator())
    status = interaction.followup.send.return_value
    await kb_add(real_bot, interaction, mock_attachment("../../Charge backs!.md", NEW_POLICY.encode()))

    saved = bot_settings.knowledge_dir / "uploads" / "Charge-backs.md"
    assert saved.read_text(encoding="utf-8") == NEW_POLICY
    final = status.edit.await_args.kwargs["content"]
    assert final.startswith("✅ Adding Charge-backs.md finished") and "1 files" in final and "0 errors" in final
    answer = await asyncio.to_thread(real_bot.desk.ask, "What happens when a client files a chargeback with the bank?")
    assert any(s.title == "Chargebacks" for s in answer.sources)

    again = mock_interaction(real_bot, user=moderator())
    await kb_add(real_bot, again, mock_attachment("Charge backs!.md", b"# other"))
    assert "already exists" in sent_kwargs(again.followup.send)["content"]
    assert saved.read_text(encoding="utf-8") == NEW_POLICY


@pytest.mark.parametrize(
    ("name", "data", "size", "reason"),
    [
        ("huge.pdf", b"%PDF-1.4", 50 * 1024 * 1024, "the limit is 20 MB"),
        ("tool.exe", b"MZ", None, "unsupported file type (.exe)"),
        ("notes.md", b"\x00\x01\x02\x03" * 100, None, "I can't read it: binary data"),
        ("topic.json", b"{not json", None, "I can't read it: not valid JSON"),
    ],
)
async def test_kb_add_rejects_with_a_reason_and_saves_nothing(
    bot: DeskBot, bot_settings: Settings, journal: Journal, name: str, data: bytes, size: int | None, reason: str
) -> None:
    interaction = mock_interaction(bot, user=moderator())
    await kb_add(bot, interaction, mock_attachment(name, data, size=size))
    sent = interaction.followup.send if interaction.response.defer.await_count else interaction.response.send_message
    text = sent_kwargs(sent)["content"]
    assert text.startswith("❌ Not added") and reason in text
    assert not (bot_settings.knowledge_dir / "uploads").exists() or not any(
        (bot_settings.knowledge_dir / "uploads").iterdir()
    )
    assert journal.actions(action="kb add")[0].ok is False


async def test_kb_status_shows_index_model_store_and_last_reindex(bot: DeskBot, journal: Journal) -> None:
    journal.log_action(actor_id=1, actor_name="Mod Al", action="reindex", detail="7 files, 42 chunks", guild_id=1)
    interaction = mock_interaction(bot, user=moderator())
    cog = bot.get_cog("Knowledge")
    await cog.status.callback(cog, interaction)
    sent = sent_kwargs(interaction.followup.send)
    fields = {f.name: f.value for f in sent["embed"].fields}
    assert sent["ephemeral"] is True
    assert fields["Index"] == "42 passages from 7 sources"
    assert fields["Model"] == "hashing" and fields["Store"] == "embedded · passages-1"
    assert "7 files" in fields["Last ingest"] and "Mod Al" in fields["Last reindex from Discord"]


async def test_kb_gaps_lists_unanswered_and_thumbs_down_questions(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    journal.record_question(
        Answer("What about Mars contracts?", False, "", reason="weak_evidence"),
        user_id=1,
        guild_id=guild.id,
        channel_id=2,
    )
    bad = journal.record_question(
        Answer("Is escrow refundable?", True, "Yes [1]."), user_id=1, guild_id=guild.id, channel_id=2
    )
    journal.vote(bad, 3, -1)
    journal.record_question(Answer("Fine question", True, "Fine [1]."), user_id=1, guild_id=guild.id, channel_id=2)
    interaction = mock_interaction(bot, user=moderator(guild), guild=guild)
    cog = bot.get_cog("Knowledge")
    await cog.gaps.callback(cog, interaction)
    description = sent_kwargs(interaction.followup.send)["embed"].description
    assert description.index("Is escrow refundable?") < description.index("What about Mars contracts?")
    assert "👎 1" in description and "not answered (weak evidence)" in description
    assert "Fine question" not in description


async def test_kb_gaps_never_shows_what_members_asked_privately(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    journal.record_question(
        Answer("My client Jane Roe at ACME owes me $900, can I sue?", False, "", reason="weak_evidence"),
        user_id=1,
        guild_id=guild.id,
        channel_id=2,
        private=True,  # /ask ephemeral:True: only the asker saw it
    )
    journal.record_question(
        Answer("What about Mars contracts?", False, "", reason="weak_evidence"),
        user_id=1,
        guild_id=guild.id,
        channel_id=2,
    )
    interaction = mock_interaction(bot, user=moderator(guild), guild=guild)
    cog = bot.get_cog("Knowledge")
    await cog.gaps.callback(cog, interaction)
    embed = sent_kwargs(interaction.followup.send)["embed"]
    shown = str(embed.to_dict())
    assert "Jane Roe" not in shown and "ACME" not in shown and "$900" not in shown
    assert "What about Mars contracts?" in embed.description  # public questions are still listed
    assert "asked privately; the question is not shown" in embed.description
    assert "1 asked privately" in embed.footer.text and "shown without their text" in embed.footer.text


async def test_logs_name_members_by_hash_never_by_id(bot: DeskBot, journal: Journal, caplog) -> None:
    caplog.set_level(logging.INFO)
    member = mock_member()
    refused = mock_interaction(bot, user=member)
    await bot.tree.on_error(refused, NotModerator("moderators only"))
    broken = mock_interaction(bot, user=member)
    await bot.tree.on_error(broken, app_commands.CommandInvokeError(bot.tree.get_command("reindex"), KeyError("x")))
    mod = moderator()
    cog = bot.get_cog("Knowledge")
    await cog.status.callback(cog, mock_interaction(bot, user=mod))

    assert str(member.id) not in caplog.text and str(mod.id) not in caplog.text
    assert caplog.text.count(f"member {journal.user_hash(member.id)}") == 2
    assert f"admin action kb status by Mod Mo (member {journal.user_hash(mod.id)})" in caplog.text


def http_error(status: int = 404, text: str = "Unknown Webhook") -> discord.HTTPException:
    response = mock.Mock(status=status, reason=text)
    return discord.HTTPException(response, text)


async def test_reindex_announcement_always_ends_with_what_happened(real_bot: DeskBot, bot_settings: Settings) -> None:
    (bot_settings.knowledge_dir / "policy" / "03-chargebacks.md").write_text(NEW_POLICY, encoding="utf-8")
    interaction = mock_interaction(real_bot, user=moderator())
    interaction.original_response.side_effect = http_error()  # fetching the announced message fails
    await reindex(real_bot, interaction)
    assert "Reindex started" in sent_kwargs(interaction.response.send_message)["content"]
    assert interaction.edit_original_response.await_args.kwargs["content"].startswith("✅ Reindex finished")
    answer = await asyncio.to_thread(real_bot.desk.ask, "What happens when a client files a chargeback with the bank?")
    assert any(s.title == "Chargebacks" for s in answer.sources)  # the job ran

    failing = mock_interaction(real_bot, user=moderator())
    real_bot.get_cog("Admin").jobs.ingest = mock.Mock(side_effect=RuntimeError("disk on fire"))
    await reindex(real_bot, failing)
    assert failing.edit_original_response.await_args.kwargs["content"].startswith("❌ Reindex failed unexpectedly")
    assert real_bot.get_cog("Admin").jobs.current is None


async def test_moderator_ingests_reuse_the_running_desks_model(
    real_bot: DeskBot, bot_settings: Settings, monkeypatch
) -> None:
    import ingest.pipeline

    def second_model_load(settings):
        raise AssertionError("a second copy of the embedding model was loaded")

    monkeypatch.setattr(ingest.pipeline, "build_embedder", second_model_load)
    (bot_settings.knowledge_dir / "policy" / "03-chargebacks.md").write_text(NEW_POLICY, encoding="utf-8")
    interaction = mock_interaction(real_bot, user=moderator())
    await reindex(real_bot, interaction)
    assert interaction.edit_original_response.await_args.kwargs["content"].startswith("✅ Reindex finished")

    upload = mock_interaction(real_bot, user=moderator())
    other_policy = NEW_POLICY.replace("Chargebacks", "Card reversals").encode()
    await kb_add(real_bot, upload, mock_attachment("extra.md", other_policy))
    assert upload.followup.send.return_value.edit.await_args.kwargs["content"].startswith("✅ Adding extra.md finished")


@pytest.mark.parametrize("name", ["README.md", "readme.md", "ReadMe.MD", "README.TXT"])
async def test_an_uploaded_readme_survives_the_next_reindex(
    real_bot: DeskBot, bot_settings: Settings, name: str
) -> None:
    plain = "A chargeback is a card payment reversal requested from the bank."
    body = NEW_POLICY if name.lower().endswith(".md") else plain
    upload = mock_interaction(real_bot, user=moderator())
    await kb_add(real_bot, upload, mock_attachment(name, body.encode()))
    [saved] = (bot_settings.knowledge_dir / "uploads").iterdir()
    assert saved.stem.lower() != "readme"
    final = upload.followup.send.return_value.edit.await_args.kwargs["content"]
    assert final.startswith(f"✅ Adding {saved.name} finished") and "/reindex skips README files" in final

    await reindex(real_bot, mock_interaction(real_bot, user=moderator()))
    answer = await asyncio.to_thread(real_bot.desk.ask, "What is a chargeback from the client's bank?")
    assert any("uploads/" in s.title or "Chargebacks" in s.title or "chargeback" in s.text for s in answer.sources)
    manifest = real_bot.desk.store.live(real_bot.desk.embedder.name).manifest()
    assert any(source.endswith(f"uploads/{saved.name}") for source, _ in manifest.values())


async def test_non_ascii_upload_names_stay_distinct(bot: DeskBot, bot_settings: Settings) -> None:
    names = ["Спор с клиентом.md", "Возврат средств.md", "Café règles.md"]
    for name in names:
        await kb_add(bot, mock_interaction(bot, user=moderator()), mock_attachment(name, f"# {name}\n\nText.".encode()))
    saved = sorted(p.name for p in (bot_settings.knowledge_dir / "uploads").iterdir())
    assert len(saved) == 3 and "upload.md" not in saved and "Cafe-regles.md" in saved
    assert all(name.isascii() for name in saved)


async def test_an_upload_that_could_not_be_indexed_is_not_kept(real_bot: DeskBot, bot_settings: Settings) -> None:
    uploads = bot_settings.knowledge_dir / "uploads"
    with FileLock(str(bot_settings.lock_path)):  # a command-line ingest is running
        busy = mock_interaction(real_bot, user=moderator())
        await kb_add(real_bot, busy, mock_attachment("chargebacks.md", NEW_POLICY.encode()))
    text = busy.followup.send.return_value.edit.await_args.kwargs["content"]
    assert "Nothing was changed" in text and "not kept" in text
    assert not (uploads / "chargebacks.md").exists()

    retry = mock_interaction(real_bot, user=moderator())
    await kb_add(real_bot, retry, mock_attachment("chargebacks.md", NEW_POLICY.encode()))  # not "already exists"
    assert retry.followup.send.return_value.edit.await_args.kwargs["content"].startswith("✅ Adding chargebacks.md")

    jobs = real_bot.get_cog("Knowledge").jobs
    jobs.ingest = mock.Mock(side_effect=RuntimeError("embedding crashed"))
    replacing = mock_interaction(real_bot, user=moderator())
    await kb_add(real_bot, replacing, mock_attachment("chargebacks.md", b"# New text\n\nReplaced."), replace=True)
    assert "failed" in replacing.followup.send.return_value.edit.await_args.kwargs["content"]
    assert (uploads / "chargebacks.md").read_text(encoding="utf-8") == NEW_POLICY  # the earlier upload is back


async def test_sync_refused_by_discord_tells_the_moderator_why(bot: DeskBot, journal: Journal, monkeypatch) -> None:
    async def refused(*, guild=None):
        raise discord.Forbidden(mock.Mock(status=403, reason="Forbidden"), {"message": "Missing Access", "code": 50001})

    monkeypatch.setattr(bot.tree, "sync", refused)
    interaction = mock_interaction(bot, user=moderator())
    cog = bot.get_cog("Admin")
    await cog.sync.callback(cog, interaction)
    text = sent_kwargs(interaction.followup.send)["content"]
    assert text.startswith("❌ Discord refused the slash-command sync (global; HTTP 403") and "keep working" in text
    assert journal.actions(action="sync")[0].ok is False


async def test_an_upload_the_ingest_reports_as_unreadable_is_not_kept(bot: DeskBot, bot_settings: Settings) -> None:
    from ingest.pipeline import FileError, IngestSummary

    jobs = bot.get_cog("Knowledge").jobs
    jobs.ingest = mock.Mock(return_value=IngestSummary(errors=[FileError("uploads/odd.md", "no text to index")]))
    interaction = mock_interaction(bot, user=moderator())
    await kb_add(bot, interaction, mock_attachment("odd.md", b"# Odd\n\nSome text."))
    final = interaction.followup.send.return_value.edit.await_args.kwargs["content"]
    assert final.startswith("⚠️ Adding odd.md finished") and "no text to index" in final and "not kept" in final
    assert not (bot_settings.knowledge_dir / "uploads" / "odd.md").exists()


@pytest.mark.parametrize(
    ("name", "saved", "why"),
    [
        ("README.md", "README-upload.md", "README"),
        ("readme.TXT", "readme-upload.txt", "README"),
        ("my upload.md", "my-upload.md", "ASCII"),
        ("Café règles.md", "Cafe-regles.md", "ASCII"),
        ("notes.md", "notes.md", None),
    ],
)
def test_upload_names_and_why_they_changed(name: str, saved: str, why: str | None) -> None:
    from desk_discord.exts.admin._uploads import rename_reason, sanitise_name

    assert sanitise_name(name) == saved
    reason = rename_reason(name, saved)
    assert (reason is None) if why is None else (why in reason)


def test_names_in_other_scripts_get_distinct_stable_names() -> None:
    from desk_discord.exts.admin._uploads import sanitise_name

    first, second = sanitise_name("Спор с клиентом.md"), sanitise_name("Возврат средств.md")
    assert first != second and first == sanitise_name("Спор с клиентом.md")
    assert first.isascii() and first.endswith(".md") and first.startswith("upload-")
