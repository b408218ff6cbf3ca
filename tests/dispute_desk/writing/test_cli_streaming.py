"""The terminal shows a written answer as it streams, then the checked answer with its sources."""

from __future__ import annotations

import io

from rich.console import Console

from desk_cli.render import ask_streaming, print_answer
from dispute_desk.desk import Desk

QUESTION = "How many days does the client have to review submitted work?"
WRITTEN = "The client has 14 days to review submitted work, then escrow is released automatically [1]."


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100, color_system=None), out


def test_the_terminal_streams_the_text_then_prints_the_checked_answer(tiny_desk: Desk, make_writer) -> None:
    writer, _ = make_writer(WRITTEN, delay=0.05)
    tiny_desk.writer = writer
    console, out = _terminal()
    answer = ask_streaming(console, tiny_desk, QUESTION)
    streamed = out.getvalue()
    assert "Writing from the sources" in streamed and "The client has 14" in streamed
    print_answer(console, answer, tiny_desk.texts.disclaimer)
    final = out.getvalue()[len(streamed):]
    assert "written from the sources, citations checked" in final
    assert "[1] Escrow basics § 1.2 The review period" in final


def test_a_discarded_written_answer_says_why_and_shows_the_quoted_one(tiny_desk: Desk, make_writer) -> None:
    writer, _ = make_writer("The client has 30 days to review submitted work [1].")
    tiny_desk.writer = writer
    console, out = _terminal()
    answer = ask_streaming(console, tiny_desk, QUESTION)
    print_answer(console, answer, tiny_desk.texts.disclaimer)
    text = out.getvalue()
    assert "Quoted from the sources instead of the model's answer: the written answer had a figure" in text
    assert "the client has 14 days to review it" in text


def test_without_a_terminal_nothing_unchecked_is_printed(tiny_desk: Desk, make_writer) -> None:
    writer, _ = make_writer("The client has 30 days to review submitted work [1].")
    tiny_desk.writer = writer
    out = io.StringIO()
    answer = ask_streaming(Console(file=out, force_terminal=False), tiny_desk, QUESTION)
    assert out.getvalue() == "" and answer.fallback == "unsupported_figure"
