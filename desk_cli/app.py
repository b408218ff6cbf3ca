"""Argument parsing and dispatch for `python bot.py`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from rich.console import Console

from desk_cli import exit_codes
from desk_cli.commands import ask, bench, chat, evaluate, health, ingest, protected, run, sync
from desk_cli.logs import formatter
from dispute_desk.embedding import ModelUnavailable
from dispute_desk.settings import Settings, load_settings
from dispute_desk.store import IndexMissing
from dispute_desk.texts import PromptsMissing

COMMANDS = (ask, chat, protected, ingest, evaluate, bench, health, run, sync)

QUIET_LOGGERS = ("bm25s", "chromadb", "sentence_transformers", "transformers", "httpx", "urllib3", "filelock")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits with 2; our usage code is 1
        self.print_usage(sys.stderr)
        self.exit(exit_codes.USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="bot.py",
        description="Dispute Desk: cited answers about freelance payment disputes.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (to stderr)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def configure_logging(settings: Settings, verbose: bool) -> None:
    level = logging.DEBUG if verbose else getattr(logging, settings.log_level.upper(), logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(settings.log_format))  # DESK_LOG_FORMAT=json: one JSON object per line
    logging.basicConfig(level=max(level, logging.WARNING) if not verbose else level, handlers=[handler])
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if verbose else logging.ERROR)


def quiet_model_output() -> None:
    """The model must load offline, and its loaders' progress bars must not mix with our output."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv: Sequence[str] | None = None) -> int:
    quiet_model_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return exit_codes.USAGE
    err = Console(stderr=True)
    try:
        settings = load_settings()
    except ValidationError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        return exit_codes.NO_INDEX
    configure_logging(settings, args.verbose)
    console = Console()
    try:
        return int(args.handler(args, settings, console))
    except IndexMissing as exc:
        err.print(f"[red]No usable index:[/red] {exc}")
        return exit_codes.NO_INDEX
    except (ModelUnavailable, PromptsMissing) as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        return exit_codes.NO_INDEX
    except KeyboardInterrupt:
        err.print("[dim]interrupted[/dim]")
        return 130
