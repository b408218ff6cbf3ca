"""`bot.py protected`: the "Am I protected?" check, asked question by question or from flags (``--json``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.prompt import Prompt

from desk_cli import exit_codes
from dispute_desk.protection import InvalidAnswer, ProtectionCheck, RulesError, Verdict, inputs_from_answers, parse_date
from dispute_desk.protection.dates import relative_day
from dispute_desk.protection.inputs import ANSWER_FIELDS, ANSWER_VALUES, DATE_FIELDS
from dispute_desk.protection.questions import date_questions, next_choice_question
from dispute_desk.protection.rules import Question
from dispute_desk.settings import Settings
from ingest.reader import read_policy

STATUS_STYLE = {"protected": "green", "partly": "yellow", "not_protected": "red", "cant_tell": "blue"}
EFFECT_MARK = {"protects": "✓", "unprotected": "✗", "voids": "✗", "uncertain": "?", "note": "•"}
FLAG_HELP = {
    "type": "kind of contract",
    "funded": "was the milestone funded into escrow (some = only some milestones)",
    "submitted_via_contract": "did you deliver with Submit work on the contract",
    "changes_requested": "did the client ask for changes after a submission",
    "client_ended": "has the client ended (cancelled) the contract",
    "refund_requested": "has the client asked for the escrow (a refund) back",
    "tracked": "how the hourly time was logged",
    "memos": "does the tracked time have clear memos",
    "within_limit": "are all hours within the weekly limit",
    "billing_verified": "is the client's billing method verified",
    "academic": "is the job academic or professional cheating",
    "off_platform": "was any payment made or agreed outside Upwork",
    "submitted": "date of your latest Submit work",
    "ended": "date the client ended the contract",
    "refund_date": "date the client asked for the refund",
    "released": "date the payment was released",
    "week": "any day of the hourly week worked",
}


def flag(field: str) -> str:
    return "--" + field.replace("_", "-")


def _date_arg(text: str) -> date:
    try:
        return parse_date(text)
    except InvalidAnswer as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "protected",
        help='the "Am I protected?" check: a verdict with reasons, deadlines and citations',
        description="Asks the questions that decide whether Upwork's payment protection covers your money. "
        "With no flags it asks interactively; with flags (and --json) it answers for scripts. "
        "Unanswered questions count as 'unknown'.",
    )
    for field in ANSWER_FIELDS:
        values = [v for v in ANSWER_VALUES[field] if not (field == "type" and v == "unknown")]
        parser.add_argument(flag(field), dest=field, choices=values, help=FLAG_HELP[field])
    for field in DATE_FIELDS:
        parser.add_argument(flag(field), dest=field, type=_date_arg, metavar="YYYY-MM-DD", help=FLAG_HELP[field])
    parser.add_argument(
        "--today", type=_date_arg, metavar="YYYY-MM-DD", help="count days from this date (default: today, UTC)"
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as one JSON object")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    err = Console(stderr=True)
    answers: dict[str, object] = {
        field: getattr(args, field) for field in (*ANSWER_FIELDS, *DATE_FIELDS) if getattr(args, field) is not None
    }
    if not answers and not sys.stdin.isatty():
        err.print(
            "[red]No answers given and no terminal to ask in.[/red] Pass flags, e.g. "
            "`python bot.py protected --type fixed --funded yes --submitted-via-contract yes --json` "
            "(see `python bot.py protected --help`)."
        )
        return exit_codes.USAGE
    try:
        protection_check = ProtectionCheck.load(settings.knowledge_dir, read_policy)
    except RulesError as exc:
        err.print(f"[red]The protection rules cannot be used:[/red] {escape(str(exc))}")
        return exit_codes.CONFIG
    if not answers:
        try:
            answers = ask_interactively(console, protection_check)
        except EOFError:
            err.print("[red]No answer read; nothing to check.[/red]")
            return exit_codes.USAGE
    verdict = protection_check.run(inputs_from_answers(answers), today=args.today)
    if args.json:
        sys.stdout.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
    else:
        print_verdict(console, verdict)
    return exit_codes.OK


# Interactive questions ------------------------------------------------------------------------------------
def ask_interactively(
    console: Console, protection_check: ProtectionCheck, *, stream: TextIO | None = None
) -> dict[str, object]:
    """Ask the relevant questions one by one (choices by number or word; dates may be skipped)."""
    console.print("[bold]Am I protected?[/bold] A few questions about your contract. Answer with a number or a word.")
    answers: dict[str, object] = {}
    while (question := next_choice_question(protection_check.questions, answers)) is not None:
        answers[question.field] = _ask_choice(console, question, stream)
    dated = date_questions(protection_check.questions, answers)
    if dated:
        console.print("[dim]Dates make the deadlines exact. Press Enter to skip any of them.[/dim]")
    for question in dated:
        value = _ask_date(console, question, stream)
        if value is not None:
            answers[question.field] = value
    return answers


def _ask_choice(console: Console, question: Question, stream: TextIO | None) -> str:
    console.print(f"\n[bold]{escape(question.ask)}[/bold]")
    for number, (value, label) in enumerate(question.choices, start=1):
        console.print(f"  {number}) {escape(label)} [dim]({value})[/dim]")
    values = [value for value, _ in question.choices]
    default = "unknown" if "unknown" in values else None
    while True:
        reply = Prompt.ask("Your answer", console=console, stream=stream, default=default, show_default=bool(default))
        reply = (reply or "").strip().lower() or (default or "")
        if reply.isdigit() and 1 <= int(reply) <= len(values):
            return values[int(reply) - 1]
        if reply in values:
            return reply
        console.print(
            f"[yellow]Please answer with a number from 1 to {len(values)} or one of: {', '.join(values)}[/yellow]"
        )


def _ask_date(console: Console, question: Question, stream: TextIO | None) -> date | None:
    while True:
        reply = Prompt.ask(
            f"{escape(question.ask)} [dim](YYYY-MM-DD)[/dim]",
            console=console,
            stream=stream,
            default="",
            show_default=False,
        ).strip()
        if not reply:
            return None
        try:
            return parse_date(reply)
        except InvalidAnswer as exc:
            console.print(f"[yellow]{escape(str(exc))}[/yellow]")


# Output ---------------------------------------------------------------------------------------------------
def print_verdict(console: Console, verdict: Verdict) -> None:
    style = STATUS_STYLE.get(verdict.status, "white")
    console.print(
        Panel(
            escape(verdict.summary),
            title=f"Am I protected? [bold]{escape(verdict.label)}[/bold]",
            border_style=style,
            expand=False,
        )
    )
    if verdict.contradictions:
        console.print("[bold]These answers contradict each other[/bold]")
        for text in verdict.contradictions:
            console.print(f"  ! {escape(text)}")
    if verdict.missing:
        console.print("[bold]Answer these for a verdict[/bold]")
        for item in verdict.missing:
            console.print(f"  - {escape(item.question)} [dim]({flag(item.field)})[/dim]")
    if verdict.reasons:
        console.print("[bold]Why[/bold]")
        for reason in verdict.reasons:
            console.print(f"  {EFFECT_MARK.get(reason.effect, '•')} {escape(reason.text)}")
            where = f" — {reason.citation.url}" if reason.citation.url else ""
            console.print(f"    [dim]{escape(reason.citation.label)}{escape(where)}[/dim]", highlight=False)
    if verdict.next_steps:
        console.print("[bold]Next steps[/bold]")
        for number, step in enumerate(verdict.next_steps, start=1):
            cite = f" [dim](§ {escape(step.citation.number)})[/dim]" if step.citation else ""
            console.print(f"  {number}. {escape(step.text)}{cite}")
    if verdict.dates:
        console.print("[bold]Dates (UTC)[/bold]")
        for key_date in verdict.dates:
            console.print(
                f"  {escape(key_date.when)}  {escape(key_date.label)} ({relative_day(key_date.days_left)})",
                highlight=False,
            )
            if key_date.note:
                console.print(f"      [dim]{escape(key_date.note)}[/dim]", highlight=False)
    console.print(f"[dim]{escape(verdict.disclaimer)}[/dim]")
