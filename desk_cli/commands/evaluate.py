"""`bot.py eval FILE.jsonl`: retrieval recall@5, grounded answers, declines and latency on a question set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from desk_cli import exit_codes
from desk_cli.render import summary_table
from dispute_desk.desk import Desk
from dispute_desk.evaluation import EvalSetError, load_questions, run_eval
from dispute_desk.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("eval", help="score the desk on a question set (JSONL)")
    parser.add_argument("file", type=Path, help="questions: one {question, facts, answerable} per line")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--details", action="store_true", help="list the questions that went wrong")
    parser.add_argument("--retriever", choices=("hybrid", "dense"), default="hybrid",
                        help="dense: score the dense-only baseline over the same index")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    try:
        items = load_questions(args.file)
    except EvalSetError as exc:
        console.print(f"[red]{exc}[/red]")
        return exit_codes.USAGE
    desk = Desk.open(settings, retriever=args.retriever)
    report = run_eval(desk, items)
    if args.json:
        print(json.dumps(report.to_json(with_items=args.details), indent=2))
        return exit_codes.OK
    rows = [
        ("questions", str(report.questions)),
        (f"recall@{report.k} (a passage with an expected fact)", f"{report.recall_at_k:.3f}"),
        (f"fact recall@{report.k} (expected facts found)", f"{report.fact_recall_at_k:.3f}"),
        ("answers carrying an expected fact", f"{report.answer_fact_rate:.3f}"),
        ("answerable questions answered", f"{report.answered_rate:.3f}"),
        ("decline precision", f"{report.decline_precision:.3f}"),
        ("decline recall", f"{report.decline_recall:.3f}"),
        ("latency p50 / p95 (ms)", f"{report.latency_p50_ms:.1f} / {report.latency_p95_ms:.1f}"),
    ]
    console.print(summary_table(f"Evaluation of {args.file} ({args.retriever} retrieval)", rows))
    if args.details:
        for item in report.failures():
            what = "answered, should decline" if not item.answerable else (
                "declined" if not item.answered else "answer lacks expected fact")
            console.print(f"[yellow]{item.id}[/yellow] {what}: {item.question} "
                          f"(expected {','.join(item.expected)}; retrieved {','.join(item.retrieved_facts[:8])})",
                          highlight=False)
    return exit_codes.OK
