"""`bot.py chat`: an interactive session with history, /sources and /quit."""

from __future__ import annotations

import argparse
import contextlib

from rich.console import Console
from rich.markup import escape

from desk_cli import exit_codes
from desk_cli.render import ask_streaming, print_answer, print_sources
from dispute_desk.desk import Desk
from dispute_desk.models import Answer
from dispute_desk.questions import follow_up_context
from dispute_desk.settings import Settings

HELP = "Commands: /sources (passages behind the last answer), /history, /help, /quit"
# What ends the session: the slash commands, and the bare words people type at any terminal prompt.
# A bare word is never a dispute question, so nothing a member could mean is lost.
QUIT = frozenset({"/quit", "/exit", "/q", "quit", "exit", "bye", "q", ":q"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("chat", help="interactive question-and-answer session")
    parser.set_defaults(handler=handle)


def _read_line(console: Console) -> str | None:
    try:
        return console.input("[bold cyan]you>[/bold cyan] ")
    except EOFError:
        return None


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    with contextlib.suppress(ImportError):  # arrow-key history in input(); not on every platform
        import readline  # noqa: F401
    with console.status("Loading the model and the index..."):
        desk = Desk.open(settings)
    console.print(escape(desk.texts.greeting))
    console.print(f"[dim]{HELP}[/dim]")
    history: list[Answer] = []
    while True:
        line = _read_line(console)
        if line is None or line.strip().lower() in QUIT:
            console.print("[dim]bye[/dim]")
            return exit_codes.OK
        command = line.strip()
        if not command:
            continue
        if command == "/sources":
            print_sources(console, history[-1] if history else None)
        elif command == "/history":
            for number, past in enumerate(history, start=1):
                mark = "" if past.answered else " [dim](not answered)[/dim]"
                console.print(f"{number}. {escape(past.question)}{mark}", highlight=False)
        elif command == "/help":
            console.print(HELP)
        elif command.startswith("/"):
            console.print(f"[yellow]unknown command {escape(command)}[/yellow]. {HELP}", highlight=False)
        else:
            previous = history[-1].question if history else None
            answer = ask_streaming(console, desk, command, context=follow_up_context(command, previous))
            history.append(answer)
            print_answer(console, answer, desk.texts.disclaimer)
