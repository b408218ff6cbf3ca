"""`bot.py eval FILE.jsonl`: retrieval recall@5, grounded answers, declines and latency on a question set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from desk_cli import exit_codes
from desk_cli.render import summary_table
from dispute_desk.desk import Desk
from dispute_desk.eval import EvalReport, EvalSetError, compare_modes, load_question_files, run_eval
from dispute_desk.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("eval", help="score the desk on a question set (JSONL)")
    parser.add_argument("file", type=Path, nargs="+",
                        help="question files (JSONL): one {question, facts, answerable} per line, e.g. "
                             "tests/eval/dev.jsonl or tests/eval/test.jsonl")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--details", action="store_true", help="list the questions that went wrong")
    parser.add_argument("--retriever", choices=("hybrid", "dense"), default="hybrid",
                        help="dense: score the dense-only baseline over the same index")
    parser.add_argument("--llm", action="store_true",
                        help="also answer with the chat model set by DESK_LLM_* and report both modes side by side")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    try:
        items = load_question_files(args.file)
    except EvalSetError as exc:
        console.print(f"[red]{exc}[/red]")
        return exit_codes.USAGE
    desk = Desk.open(settings, retriever=args.retriever)
    if args.llm:
        if desk.writer is None:
            console.print("[red]--llm needs a chat model: set DESK_LLM_PROVIDER and DESK_LLM_MODEL[/red]")
            return exit_codes.CONFIG
        return _side_by_side(args, console, *compare_modes(desk, items), model=desk.writer.label)
    report = run_eval(desk, items, write=False)
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
        ("in-scope look-alikes wrongly declined", f"{report.lookalikes_declined:.3f}"),
        ("latency p50 / p95 (ms)", f"{report.latency_p50_ms:.1f} / {report.latency_p95_ms:.1f}"),
    ]
    names = " + ".join(str(f) for f in args.file)
    console.print(summary_table(f"Evaluation of {names} ({args.retriever} retrieval)", rows), markup=False)
    if args.details:
        for item in report.failures():
            what = "answered, should decline" if not item.answerable else (
                "declined" if not item.answered else "answer lacks expected fact")
            console.print(f"{item.id} {what}: {item.question} "
                          f"(expected {','.join(item.expected)}; retrieved {','.join(item.retrieved_facts[:8])}; "
                          f"{item.why or 'no decision recorded'})", highlight=False, markup=False)
    return exit_codes.OK


def _side_by_side(
    args: argparse.Namespace, console: Console, extractive: EvalReport, written: EvalReport, *, model: str
) -> int:
    if args.json:
        print(json.dumps({"model": model, "extractive": extractive.to_json(with_items=args.details),
                          "written": written.to_json(with_items=args.details)}, indent=2))
        return exit_codes.OK
    files = args.file if isinstance(args.file, list) else [args.file]
    names = " + ".join(str(f) for f in files)
    table = Table(title=f"Evaluation of {names}: extractive vs written by {model}", title_justify="left")
    table.add_column("")
    table.add_column("extractive", justify="right")
    table.add_column("written", justify="right")
    reasons = ", ".join(f"{why} {count}" for why, count in written.fallbacks.items()) or "none"
    rows = [
        ("questions", str(extractive.questions), str(written.questions)),
        ("answers carrying an expected fact", f"{extractive.answer_fact_rate:.3f}", f"{written.answer_fact_rate:.3f}"),
        ("answerable questions answered", f"{extractive.answered_rate:.3f}", f"{written.answered_rate:.3f}"),
        ("decline precision", f"{extractive.decline_precision:.3f}", f"{written.decline_precision:.3f}"),
        ("decline recall", f"{extractive.decline_recall:.3f}", f"{written.decline_recall:.3f}"),
        ("answers written by the model (passed the check)", "-", f"{written.written_rate:.3f}"),
        ("fell back to the extractive answer", "-", f"{written.fallback_rate:.3f}"),
        ("latency p50 / p95 (ms)", f"{extractive.latency_p50_ms:.1f} / {extractive.latency_p95_ms:.1f}",
         f"{written.latency_p50_ms:.1f} / {written.latency_p95_ms:.1f}"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"fallback reasons: {reasons}", highlight=False)
    if args.details:
        for item in written.items:
            if item.fallback:
                console.print(f"[yellow]{item.id}[/yellow] fell back ({item.fallback}): {item.question}",
                              highlight=False)
    return exit_codes.OK
