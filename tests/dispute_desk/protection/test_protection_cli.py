"""`python bot.py protected`: flags and --json for scripts, questions one by one in a terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from desk_cli import exit_codes
from desk_cli.app import build_parser
from desk_cli.commands.protected import ask_interactively, print_verdict
from dispute_desk.protection import ProtectionCheck, inputs_from_answers
from dispute_desk.settings import PROJECT_DIR, load_settings

FOUR_PHASES = [
    "--type",
    "fixed",
    "--funded",
    "some",
    "--submitted-via-contract",
    "yes",
    "--submitted",
    "2026-11-04",
    "--client-ended",
    "yes",
    "--ended",
    "2026-11-10",
    "--refund-requested",
    "yes",
    "--refund-date",
    "2026-11-10",
    "--academic",
    "no",
    "--off-platform",
    "no",
    "--today",
    "2026-11-11",
]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for name in list(env):
        if name.startswith("DESK_"):
            env.pop(name)  # the bundled knowledge folder, whatever the caller's environment says
    return subprocess.run(
        [sys.executable, "bot.py", "protected", *args],
        cwd=PROJECT_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.subprocess
def test_flags_and_json_give_the_verdict_for_scripts() -> None:
    result = _run(*FOUR_PHASES, "--json")
    assert result.returncode == exit_codes.OK, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "partly"
    assert data["today"] == "2026-11-11"
    assert data["inputs"]["funded"] == "some" and data["inputs"]["refund_date"] == "2026-11-10"
    assert data["inputs"]["tracked"] == "unknown" and data["inputs"]["week"] is None  # flags not given
    assert [(d["id"], d["date"], d["days_left"]) for d in data["dates"]] == [("refund_deadline", "2026-11-17", 6)]
    sections = {r["rule"]: (r["citation"]["file"], r["citation"]["number"]) for r in data["reasons"]}
    assert sections["fixed-unfunded-part"] == ("02-fixed-price-disputes.md", "2.3")
    assert sections["fixed-refund-request"] == ("02-fixed-price-disputes.md", "2.5")
    assert all(r["citation"]["url"].startswith("https://") for r in data["reasons"])
    assert any("(by 2026-11-17)" in s["text"] for s in data["next_steps"])
    assert "not legal advice" in data["disclaimer"]


@pytest.mark.subprocess
def test_text_output_shows_status_reasons_steps_and_dates() -> None:
    result = _run(*FOUR_PHASES)
    assert result.returncode == exit_codes.OK, result.stderr
    out = " ".join(result.stdout.split())
    assert "Partly protected" in out
    assert "Disputes on fixed-price contracts § 2.3" in out
    assert "2026-11-17" in out and "in 6 days" in out
    assert "Next steps" in out and "not legal advice" in out


@pytest.mark.subprocess
def test_no_flags_and_no_terminal_is_a_usage_error() -> None:
    result = _run(stdin="")
    assert result.returncode == exit_codes.USAGE
    assert "Pass flags" in " ".join(result.stderr.split())
    assert result.stdout == ""


@pytest.mark.subprocess
def test_a_bad_date_or_value_is_a_usage_error() -> None:
    bad_date = _run("--type", "fixed", "--submitted", "11/04/2026")
    assert bad_date.returncode == exit_codes.USAGE
    assert "is not a date in the form YYYY-MM-DD" in bad_date.stderr
    bad_value = _run("--type", "fixed", "--funded", "maybe")
    assert bad_value.returncode == exit_codes.USAGE
    assert "invalid choice: 'maybe'" in bad_value.stderr


@pytest.mark.subprocess
def test_missing_answers_are_named_with_their_flags() -> None:
    result = _run("--type", "hourly", "--tracked", "app", "--today", "2026-11-11")
    assert result.returncode == exit_codes.OK
    out = " ".join(result.stdout.split())
    assert "Can't tell" in out
    for flag in ("--memos", "--within-limit", "--billing-verified"):
        assert flag in out


def test_broken_rules_are_a_configuration_error(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge")
    args = build_parser().parse_args(["protected", "--type", "fixed", "--json"])
    code = args.handler(args, settings, Console(file=io.StringIO()))
    assert code == exit_codes.CONFIG


def test_interactive_questions_skip_what_does_not_apply(protection_check: ProtectionCheck) -> None:
    # hourly (2), desktop app (1), memos yes, within limit yes, billing yes, academic no, off-platform no,
    # then one date: the week worked.
    replies = "2\n1\nyes\n1\n1\nno\nno\n2026-11-04\n"
    console = Console(file=io.StringIO(), width=120)
    answers = ask_interactively(console, protection_check, stream=io.StringIO(replies))
    assert answers == {
        "type": "hourly",
        "tracked": "app",
        "memos": "yes",
        "within_limit": "yes",
        "billing_verified": "yes",
        "academic": "no",
        "off_platform": "no",
        "week": date(2026, 11, 4),
    }
    asked = console.file.getvalue()
    assert "How did you log your time?" in asked
    assert "escrow" not in asked  # no fixed-price question for an hourly contract


def test_interactive_questions_accept_words_retry_bad_input_and_skip_dates(protection_check: ProtectionCheck) -> None:
    # fixed; "maybe" is refused then "some"; submitted: no; client ended: no; refund: unknown (Enter = default);
    # academic no; off-platform no; the only date (released) is skipped; a bad date would be asked again.
    replies = "fixed\nmaybe\nsome\nno\nno\n\nno\nno\n\n"
    console = Console(file=io.StringIO(), width=120)
    answers = ask_interactively(console, protection_check, stream=io.StringIO(replies))
    assert answers["funded"] == "some" and answers["refund_requested"] == "unknown"
    assert "changes_requested" not in answers and "released" not in answers
    assert "Please answer with a number from 1 to 4" in console.file.getvalue()
    verdict = protection_check.run(inputs_from_answers(answers))
    assert verdict.status == "partly"


def test_print_verdict_lists_contradictions(protection_check: ProtectionCheck) -> None:
    verdict = protection_check.run(inputs_from_answers({"type": "fixed", "funded": "no", "released": "2026-11-01"}))
    console = Console(file=io.StringIO(), width=200)
    print_verdict(console, verdict)
    out = console.file.getvalue()
    assert "These answers contradict each other" in out
    assert "not funded but gave a release date" in out
