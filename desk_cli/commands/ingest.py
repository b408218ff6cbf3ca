"""`bot.py ingest`: add or update the index from files and folders (default: the bundled knowledge/)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from desk_cli import exit_codes
from desk_cli.render import summary_table
from dispute_desk.settings import Settings

if TYPE_CHECKING:  # the pipeline (and langchain's splitter) load only when an ingest runs: faster `ask`
    from ingest.pipeline import IngestSummary


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("ingest", help="add or update the index from files and folders")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the knowledge folder)")
    parser.add_argument("--rebuild", action="store_true",
                        help="build a new index from scratch and switch to it only when complete")
    parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    parser.add_argument("--keep-going", action="store_true",
                        help="exit 0 even when some files could not be read (they are still reported)")
    parser.set_defaults(handler=handle)


def print_summary(console: Console, summary: IngestSummary) -> None:
    title = "Ingest (dry run: nothing written)" if summary.dry_run else "Ingest"
    rows = [
        ("files read", str(summary.files)),
        ("chunks", str(summary.chunks)),
        ("added / updated / removed", f"{summary.added} / {summary.updated} / {summary.removed}"),
        ("unchanged", str(summary.unchanged)),
        ("skipped", str(summary.skipped)),
        ("errors", str(len(summary.errors))),
        ("collection", summary.collection),
        ("seconds", f"{summary.seconds:.2f}"),
    ]
    console.print(summary_table(title, rows))
    if summary.dry_run:
        for change in summary.changes:
            console.print(f"  would change {change.source}: +{change.added} ~{change.updated} -{change.removed}",
                          highlight=False)
        if not summary.changes:
            console.print("  nothing would change")
    for problem in summary.errors:
        console.print(f"[red]error[/red] {problem.path}: {problem.reason}", highlight=False)
    for problem in summary.skipped_files:
        console.print(f"[yellow]skipped[/yellow] {problem.path}: {problem.reason}", highlight=False)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from ingest.pipeline import IngestBusy, IngestFailed, run_ingest

    paths = args.paths or [settings.knowledge_dir]
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            summary = run_ingest(settings, paths, rebuild=args.rebuild, dry_run=args.dry_run, progress=progress)
    except IngestBusy as exc:
        console.print(f"[red]{exc}[/red]")
        return exit_codes.BUSY
    except IngestFailed as exc:
        if exc.summary is not None:
            print_summary(console, exc.summary)
        console.print(f"[red]ingest failed:[/red] {exc}")
        return exit_codes.PARTIAL
    print_summary(console, summary)
    if summary.errors and not args.keep_going:
        return exit_codes.PARTIAL
    return exit_codes.OK
