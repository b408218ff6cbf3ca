"""Argument parsing and dispatch for `python bot.py`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from desk_cli import exit_codes
from desk_cli.commands import ask, bench, chat, gate, health, ingest, protected, run, sync
from desk_cli.commands import eval as eval_command
from desk_cli.logs import formatter
from dispute_desk.embedding import ModelUnavailable
from dispute_desk.settings import Settings, env_name, load_settings
from dispute_desk.store import IndexMissing
from dispute_desk.texts import PromptsMissing

COMMANDS = (ask, chat, protected, ingest, eval_command, gate, bench, health, run, sync)

# Commands that open the index or the journal in DESK_DATA_DIR (`protected` reads only the rules).
USES_DATA_DIR = frozenset({"ask", "chat", "ingest", "eval", "bench", "run", "sync"})
SECRET_SETTINGS = frozenset({"DISCORD_TOKEN", "DESK_HASH_SECRET", "DESK_LLM_API_KEY", "DESK_CHROMA_AUTH_TOKEN"})

QUIET_LOGGERS = ("bm25s", "chromadb", "sentence_transformers", "transformers", "httpx", "urllib3", "filelock")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits with 2; our usage code is 1
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


def describe_invalid(exc: ValidationError) -> str:
    """One line naming each bad setting by its environment variable, its value (never a secret's) and why."""
    parts = []
    for error in exc.errors():
        name = env_name(error["loc"])
        value = "" if name in SECRET_SETTINGS or "input" not in error else f"={error['input']}"
        parts.append(f"{name}{value}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def data_dir_problem(path: Path) -> str | None:
    """Why ``path`` cannot hold the index and the journal (a file, not writable), or None when it can."""
    if not path.exists():
        return None  # `ask` then says there is no index; `ingest` creates it
    if not path.is_dir():
        return f"DESK_DATA_DIR {path} is a file, not a folder; point DESK_DATA_DIR at a folder"
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        return (
            f"DESK_DATA_DIR {path} is not writable ({exc.strerror}); the index and the journal are opened for "
            "writing there: make it writable or point DESK_DATA_DIR at another folder"
        )
    return None


def _is_store_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] == "chromadb"


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
    except ValidationError as exc:  # before any file is read
        err.print(f"[red]Configuration error:[/red] {escape(describe_invalid(exc))}", highlight=False, soft_wrap=True)
        return exit_codes.CONFIG
    configure_logging(settings, args.verbose)
    problem = data_dir_problem(settings.data_dir) if args.command in USES_DATA_DIR else None
    if problem is not None:
        err.print(f"[red]Configuration error:[/red] {escape(problem)}", highlight=False, soft_wrap=True)
        return exit_codes.CONFIG
    console = Console()
    try:
        return int(args.handler(args, settings, console))
    except IndexMissing as exc:
        err.print(f"[red]No usable index:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exit_codes.NO_INDEX
    except (ModelUnavailable, PromptsMissing) as exc:
        err.print(f"[red]Configuration error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exit_codes.CONFIG
    except KeyboardInterrupt:
        err.print("[dim]interrupted[/dim]")
        return 130
    except OSError as exc:  # disk full, permissions, a folder where a file should be...
        err.print(f"[red]Stopped by a system error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return exit_codes.NO_INDEX
    except Exception as exc:
        if not _is_store_error(exc):
            raise
        err.print(
            f"[red]The index in {escape(str(settings.chroma_dir))} cannot be used:[/red] {escape(str(exc))}",
            highlight=False,
            soft_wrap=True,
        )
        return exit_codes.NO_INDEX
