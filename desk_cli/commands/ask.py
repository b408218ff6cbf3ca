"""`bot.py ask`: one question (or one per stdin line with `-`), as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from desk_cli import exit_codes
from desk_cli.render import ask_streaming, print_answer
from dispute_desk.desk import Desk
from dispute_desk.protection.intent import is_protection_question
from dispute_desk.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ask", help="answer a question, with numbered sources")
    parser.add_argument("question", nargs="+", help="the question, or - to read one question per line from stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object (JSONL with -)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    words = args.question
    from_stdin = words == ["-"]
    question = " ".join(words)
    if not from_stdin and not question.strip():
        console.print("[red]empty question[/red]")
        return exit_codes.USAGE
    desk = Desk.open(settings)
    questions = (line.rstrip("\n") for line in sys.stdin) if from_stdin else iter([question])
    for text in questions:
        if from_stdin and not text.strip() and not args.json:
            continue
        # a blank line still gets its answer ("empty question"): output lines match input lines
        answer = desk.ask(text) if args.json else ask_streaming(console, desk, text)
        if args.json:
            sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            print_answer(console, answer, desk.texts.disclaimer)
            if is_protection_question(text):
                console.print("[cyan]Tip:[/cyan] `python bot.py protected` checks your own contract step by step "
                              "and computes your deadlines.")
    return exit_codes.OK
