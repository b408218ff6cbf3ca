"""`bot.py health`: is this process able to serve? Exit 0 when every check passes, 1 otherwise."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from rich.console import Console

from desk_cli import exit_codes
from desk_cli.render import summary_table
from dispute_desk.health import run_checks
from dispute_desk.settings import Settings

UNHEALTHY = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("health", help="check token, store, index and model (exit 0 healthy, 1 not)")
    parser.add_argument("--no-token", action="store_true", help="do not require DISCORD_TOKEN (CLI-only use)")
    parser.add_argument("--no-model", action="store_true", help="skip loading the embedding model (faster)")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    checks = run_checks(settings, token=not args.no_token, model=not args.no_model)
    healthy = all(check.ok for check in checks)
    if args.json:
        print(json.dumps({"healthy": healthy, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        rows = [(check.name, f"{'ok' if check.ok else 'FAIL'}: {check.detail}") for check in checks]
        console.print(summary_table("Health: " + ("healthy" if healthy else "NOT healthy"), rows))
    return exit_codes.OK if healthy else UNHEALTHY
