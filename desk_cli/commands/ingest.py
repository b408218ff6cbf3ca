"""`bot.py ingest`: add or update the index from files and folders (default: the bundled knowledge/)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from desk_cli import exit_codes
from desk_cli.render import summary_table
from dispute_desk.freshness import live_stale_sections
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, IndexMissing

if TYPE_CHECKING:  # the pipeline (and langchain's splitter) load only when an ingest runs: faster `ask`
    from ingest.pipeline import IngestSummary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ingest", help="add or update the index from files and folders")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the knowledge folder)")
    parser.add_argument("--rebuild", action="store_true",
                        help="build a new index from scratch and switch to it only when complete")
    parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    parser.add_argument("--allow-mass-delete", action="store_true",
                        help="let this run remove more than half of a folder's indexed documents (or all of them)")
    parser.add_argument("--force", action="store_true",
                        help="switch to the new index even if the reindex guard finds it answers the eval worse")
    parser.add_argument("--keep-going", action="store_true",
                        help="exit 0 even when some files could not be read (they are still reported)")
    parser.set_defaults(handler=handle)


def print_summary(console: Console, summary: IngestSummary, settings: Settings | None = None) -> None:
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
            counts = f"+{change.added} ~{change.updated} -{change.removed}"
            console.print(f"  would change {escape(change.source)}: {counts}", highlight=False)
        if not summary.changes and not summary.backend_change:
            console.print("  nothing would change")
        if summary.refused:
            console.print(f"[yellow]a real run would stop:[/yellow] {escape(summary.refused)}", highlight=False)
    print_sections(console, summary)
    print_guard(console, summary.guard)
    if summary.migrated:
        console.print(f"  converted {summary.migrated} chunk ids to ones that do not depend on the working directory",
                      highlight=False)
    if summary.backend_change:
        verb = "would re-encode" if summary.dry_run else "re-encoded"
        console.print(f"  {verb} {summary.reencoded} unchanged chunks: the embedding backend changed "
                      f"({summary.backend_change}), so every vector comes from the new one", highlight=False)
    for problem in summary.errors:  # file names are shown as they are, never read as rich markup ("[/x].md")
        console.print(f"[red]error[/red] {escape(problem.path)}: {escape(problem.reason)}", highlight=False)
    for problem in summary.skipped_files:
        console.print(f"[yellow]skipped[/yellow] {escape(problem.path)}: {escape(problem.reason)}", highlight=False)
    if not summary.dry_run:
        print_stale(console, settings)


def print_sections(console: Console, summary: IngestSummary) -> None:
    """The policy sections this run adds, changes or removes."""
    verb = "would be " if summary.dry_run else ""
    for change in summary.sections:
        console.print(f"  policy section {verb}{change.change}: {escape(change.label())}", highlight=False)


def print_guard(console: Console, guard: dict[str, Any] | None) -> None:
    """The reindex guard's comparison of the live and the new index on the eval questions."""
    if not guard:
        return
    before, after = guard["before"], guard["after"]
    verdict = ("[green]passed[/green]" if guard["passed"]
               else "[yellow]failed, switched because of --force[/yellow]" if guard["forced"]
               else "[red]failed: the live index is unchanged[/red]")
    console.print(
        f"reindex guard {verdict} ({guard['questions']} questions, {guard['seconds']:.1f} s, allowed drop "
        f"{guard['max_drop']}): fact-in-answer {before['answer_fact_rate']:.3f} -> {after['answer_fact_rate']:.3f}, "
        f"decline accuracy {before['decline_accuracy']:.3f} -> {after['decline_accuracy']:.3f}",
        highlight=False,
    )
    for item in guard["regressed"]:
        console.print(f"  regressed {escape(item['id'])}: {escape(item['question'])} "
                      f"[dim]({escape(item['before'])} -> {escape(item['after'])})[/dim]", highlight=False)
    hidden = guard["regressed_total"] - len(guard["regressed"])
    if hidden > 0:
        console.print(f"  … and {hidden} more (see the ingest report in reports/)", highlight=False)


def print_stale(console: Console, settings: Settings | None) -> None:
    """List the live index's policy sections older than DESK_STALE_AFTER_DAYS (what to re-check)."""
    if settings is None:
        return
    try:
        stale = live_stale_sections(settings)
    except IndexMissing:
        return
    if not stale:
        return
    console.print(
        f"[yellow]{len(stale)} policy section(s) not checked in the last {settings.ingest.stale_after_days} days"
        "[/yellow]"
        " (re-check them against the official pages and update as_of):",
        highlight=False,
    )
    for section in stale:
        console.print(f"  stale {escape(section.label())} [dim]({escape(section.source)})[/dim]", highlight=False)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    return ingest_paths(
        settings, console, args.paths or [settings.knowledge_dir], rebuild=args.rebuild, dry_run=args.dry_run,
        allow_mass_delete=args.allow_mass_delete, force=args.force, keep_going=args.keep_going,
    )


def ensure_index(settings: Settings, console: Console) -> int:
    """Build the index from the knowledge folder when there is none yet (``run`` calls this before starting)."""
    if ChunkStore(settings).pointer() is not None:
        return exit_codes.OK
    console.print(
        f"No index in {escape(str(settings.data_dir))} yet: building it from {escape(str(settings.knowledge_dir))} ..."
    )
    return ingest_paths(settings, console, [settings.knowledge_dir], keep_going=True)


def ingest_paths(
    settings: Settings,
    console: Console,
    paths: Sequence[Path],
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    allow_mass_delete: bool = False,
    force: bool = False,
    keep_going: bool = False,
) -> int:
    """Run one ingest with a progress bar and print its summary; returns the exit code."""
    from ingest.pipeline import IngestBusy, IngestFailed, run_ingest

    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            summary = run_ingest(settings, paths, rebuild=rebuild, dry_run=dry_run,
                                 allow_mass_delete=allow_mass_delete, progress=progress, force=force)
    except IngestBusy as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        return exit_codes.BUSY
    except IngestFailed as exc:
        if exc.summary is not None:
            print_summary(console, exc.summary)
        console.print(f"[red]ingest failed:[/red] {escape(str(exc))}", highlight=False)
        return exit_codes.PARTIAL
    except Exception as exc:  # the disk filled up, the data dir turned read-only, the store refused a write
        if not isinstance(exc, OSError) and type(exc).__module__.split(".")[0] != "chromadb":
            raise
        after = (
            "the new index was dropped; the current one is unchanged and still answering"
            if rebuild
            else "run it again once that is fixed (unchanged files are not embedded again)"
        )
        Console(stderr=True).print(
            f"[red]Ingest stopped:[/red] {escape(str(exc))}; {after}.", highlight=False, soft_wrap=True
        )
        return exit_codes.NO_INDEX
    print_summary(console, summary, settings)
    if summary.errors and not keep_going:
        return exit_codes.PARTIAL
    return exit_codes.OK
