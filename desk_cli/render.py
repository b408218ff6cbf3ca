"""How answers, sources and summaries look in a terminal (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from dispute_desk.models import Answer, Source


def source_line(source: Source) -> str:
    where = f" — {escape(source.url)}" if source.url else ""
    kind = "" if source.kind == "policy" else f" ({source.kind})"
    return f"[bold][{source.number}][/bold] {escape(source.label())}{kind}{where}"


def print_answer(console: Console, answer: Answer, disclaimer: str) -> None:
    style = "green" if answer.answered else "yellow"
    title = "Answer" if answer.answered else "Not sure"
    console.print(Panel(escape(answer.text), title=title, border_style=style, expand=False))
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
