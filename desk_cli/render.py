"""How answers, sources and summaries look in a terminal (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dispute_desk.freshness import checked_label
from dispute_desk.models import Answer, Source

if TYPE_CHECKING:
    from dispute_desk.desk import Desk

# Why a written answer was replaced by the quoted (extractive) one, as the terminal says it.
FALLBACK_NOTES = {
    "timeout": "the model did not finish in time",
    "rate_limited": "the model provider is rate-limiting requests",
    "provider_error": "the model provider could not be reached",
    "no_citation": "the written answer cited no source",
    "bad_citation": "the written answer cited a source that does not exist",
    "unsupported_figure": "the written answer had a figure that is not in its sources",
    "empty": "the model wrote nothing",
    "declined": "the model found no answer in the sources",
}


def source_line(source: Source) -> str:
    where = f" — {escape(source.url)}" if source.url else ""
    kind = "" if source.kind == "policy" else f" ({source.kind})"
    checked = checked_label(source.as_of)
    when = f" [dim]({checked})[/dim]" if checked else ""
    return f"[bold][{source.number}][/bold] {escape(source.label())}{kind}{where}{when}"


def print_answer(console: Console, answer: Answer, disclaimer: str) -> None:
    style = "green" if answer.answered else "yellow"
    title = "Answer" if answer.answered else "Not sure"
    if answer.mode == "written":
        title = "Answer (written from the sources, citations checked)"
    console.print(Panel(escape(answer.text), title=title, border_style=style, expand=False))
    if answer.fallback:
        why = FALLBACK_NOTES.get(answer.fallback, answer.fallback)
        console.print(f"[dim]Quoted from the sources instead of the model's answer: {escape(why)}.[/dim]")
    if answer.sources:
        heading = "Sources" if answer.answered else "Closest sources"
        console.print(f"[bold]{heading}[/bold]")
        for source in answer.sources:
            console.print("  " + source_line(source), highlight=False)
    console.print(f"[dim]{escape(disclaimer)}[/dim]")


def print_sources(console: Console, answer: Answer | None) -> None:
    if answer is None or not answer.sources:
        console.print("[dim]No sources yet: ask a question first.[/dim]")
        return
    for source in answer.sources:
        console.print(source_line(source), highlight=False)
        console.print(Panel(escape(source.text), border_style="dim", expand=False))


def summary_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in rows:
        table.add_row(key, value)
    return table


def ask_streaming(console: Console, desk: Desk, question: str, *, context: str | None = None) -> Answer:
    """Ask; when a chat model writes the answer and the console is a terminal, show its text as it streams
    (cleared when done: the caller prints the final, checked answer).
    """
    if not desk.streams or not console.is_terminal:
        return desk.ask(question, context=context)
    written = Text()
    panel = Panel(written, title="Writing from the sources…", border_style="dim", expand=False)
    with Live(panel, console=console, transient=True, refresh_per_second=8) as live:

        def on_token(piece: str) -> None:
            written.append(piece)
            live.refresh()

        return desk.ask(question, context=context, on_token=on_token)
