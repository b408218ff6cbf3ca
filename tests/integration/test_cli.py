"""`python bot.py` as a user runs it: the JSON contract, stdin batches, exit codes, the human output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from filelock import FileLock

from dispute_desk.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

ANSWER_KEYS = {"question", "answered", "answer", "sources", "latency_ms"}
SOURCE_KEYS = {"title", "url", "section", "kind", "score", "text"}


def check_contract(payload: dict) -> None:
    assert set(payload) == ANSWER_KEYS
    assert isinstance(payload["question"], str)
    assert isinstance(payload["answered"], bool)
    assert isinstance(payload["answer"], str) and payload["answer"]
    assert isinstance(payload["sources"], list)
    assert isinstance(payload["latency_ms"], (int, float)) and not isinstance(payload["latency_ms"], bool)
    assert payload["latency_ms"] >= 0
    for source in payload["sources"]:
        assert set(source) == SOURCE_KEYS
        assert isinstance(source["title"], str) and source["title"]
        assert source["url"] is None or isinstance(source["url"], str)
        assert source["section"] is None or isinstance(source["section"], str)
        assert source["kind"] in ("policy", "forum", "faq", "other")
        assert isinstance(source["score"], (int, float)) and not isinstance(source["score"], bool)
        assert isinstance(source["text"], str) and source["text"]


def json_lines(stdout: str) -> list[dict]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def test_ask_json_prints_exactly_one_object_with_the_contract(run_bot, real_data_dir):
    done = run_bot("ask", "--json", "mediation vs dispute", data_dir=real_data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("\n") and done.stdout.count("\n") == 1, done.stdout
    payload = json.loads(done.stdout)
    check_contract(payload)
    assert payload["question"] == "mediation vs dispute"
    assert payload["answered"] is True
    assert payload["sources"], payload
    assert "[1]" in payload["answer"]


def test_ask_json_reads_one_question_per_stdin_line(run_bot, real_data_dir):
    questions = [
        "mediation vs dispute",
        "",
        "Can you recommend a good pizza place in Berlin?",
        "How many days does my client have to review a milestone?",
    ]
    done = run_bot("ask", "--json", "-", data_dir=real_data_dir, stdin="\n".join(questions) + "\n")
    assert done.returncode == 0, done.stderr
    payloads = json_lines(done.stdout)
    assert len(payloads) == 4  # output line N answers input line N, the blank one included
    for payload in payloads:
        check_contract(payload)
    assert [p["question"] for p in payloads] == questions
    assert [p["answered"] for p in payloads] == [True, False, False, True]
    assert payloads[1]["answer"].startswith("Ask me a question")  # the "empty question" answer
    assert payloads[1]["sources"] == [] and payloads[2]["sources"] == []


def test_human_ask_output_has_numbered_sources_and_the_disclaimer(run_bot, real_data_dir):
    done = run_bot("ask", "Who", "pays", "for", "arbitration?", data_dir=real_data_dir)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Sources" in out
    assert "[1]" in out
    assert "Arbitration" in out
    assert "Not legal advice" in out
    assert out.index("[1]") < out.index("Not legal advice")


def test_ask_without_an_index_exits_2_and_says_to_ingest(run_bot, tmp_path):
    done = run_bot("ask", "--json", "mediation vs dispute", data_dir=tmp_path / "empty")
    assert done.returncode == 2
    assert "ingest" in done.stderr
    assert done.stdout == ""


def test_unknown_command_exits_1(run_bot, tmp_path):
    done = run_bot("frobnicate", data_dir=tmp_path)
    assert done.returncode == 1
    assert "invalid choice" in done.stderr


def test_empty_question_exits_1(run_bot, tmp_path):
    done = run_bot("ask", "  ", data_dir=tmp_path)
    assert done.returncode == 1
    assert "empty question" in done.stdout + done.stderr


# -- ingest (HashingEmbedder via DESK_EMBEDDING_MODEL=hashing: exit codes do not depend on the model) --------

HASHING = {"DESK_EMBEDDING_MODEL": "hashing"}


@pytest.fixture
def messy_folder(tmp_path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ngarbage")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "mediation.md").write_text(
        (PROJECT_DIR / "knowledge" / "policy" / "03-mediation.md").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return folder


def test_ingest_with_unreadable_files_exits_3_and_lists_them(run_bot, messy_folder, tmp_path):
    data = tmp_path / "data"
    done = run_bot("ingest", str(messy_folder), data_dir=data, env=HASHING, timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    out = done.stdout
    assert "broken.pdf" in out and "empty.txt" in out
    assert "empty file" in out
    report = json.loads((data / "reports" / "last-ingest.json").read_text(encoding="utf-8"))
    assert {Path(e["path"]).name for e in report["errors"]} == {"broken.pdf", "empty.txt"}
    assert report["files"] == 1 and report["added"] > 0

    again = run_bot("ingest", "--keep-going", str(messy_folder), data_dir=data, env=HASHING, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "broken.pdf" in again.stdout and "empty.txt" in again.stdout  # still reported


def test_keep_going_on_a_fresh_index_exits_0(run_bot, messy_folder, tmp_path):
    done = run_bot(
        "ingest", "--keep-going", str(messy_folder), data_dir=tmp_path / "data", env=HASHING, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "data" / "index.json").exists()


def test_ingest_where_nothing_is_readable_still_names_each_file(run_bot, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    done = run_bot("ingest", str(folder), data_dir=tmp_path / "data", env=HASHING, timeout=300)
    assert done.returncode == 3
    assert "broken.pdf" in done.stdout and "empty.txt" in done.stdout


def test_ingest_while_another_runs_exits_4(run_bot, messy_folder, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with FileLock(str(data / "ingest.lock")):
        done = run_bot("ingest", str(messy_folder), data_dir=data, env=HASHING, timeout=300)
    assert done.returncode == 4
    assert "another ingest is running" in done.stdout + done.stderr
    assert not (data / "index.json").exists()


def test_ingest_then_ask_with_the_cli_alone(run_bot, tmp_path):
    data = tmp_path / "data"
    built = run_bot("ingest", data_dir=data, env=HASHING, timeout=300)  # default: the bundled knowledge/
    assert built.returncode == 0, built.stdout + built.stderr
    done = run_bot("ask", "--json", "Who pays for arbitration?", data_dir=data, env=HASHING)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    check_contract(payload)
    other_model = run_bot(
        "ask",
        "--json",
        "Who pays for arbitration?",
        data_dir=data,
        env={"DESK_EMBEDDING_MODEL": "hashing-other"},
    )
    assert other_model.returncode == 2
    assert "--rebuild" in other_model.stderr


def test_dry_run_on_a_fresh_data_dir_writes_nothing(run_bot, messy_folder, tmp_path):
    data = tmp_path / "data"
    done = run_bot("ingest", "--dry-run", str(messy_folder), data_dir=data, env=HASHING, timeout=300)
    assert "dry run" in done.stdout and "would change" in done.stdout
    assert not data.exists()  # no chroma.sqlite3, no report, no lock


def _three_notes(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(3):
        (folder / f"note-{n}.txt").write_text(f"Note {n}\n\nEscrow holds milestone {n}.\n", encoding="utf-8")
    return folder


def test_an_index_from_before_backends_were_recorded_is_re_encoded_once_and_says_so(run_bot, tmp_path):
    folder = _three_notes(tmp_path)
    data = tmp_path / "data"
    assert run_bot("ingest", str(folder), data_dir=data, env=HASHING, timeout=300).returncode == 0
    pointer = json.loads((data / "index.json").read_text(encoding="utf-8"))
    assert pointer.pop("backend") == "hashing"
    (data / "index.json").write_text(json.dumps(pointer), encoding="utf-8")  # as older versions wrote it

    dry = run_bot("ingest", "--dry-run", str(folder), data_dir=data, env=HASHING, timeout=300)
    assert "would re-encode 3 unchanged chunks" in dry.stdout and "unrecorded -> hashing" in dry.stdout
    done = run_bot("ingest", str(folder), data_dir=data, env=HASHING, timeout=300)
    assert done.returncode == 0 and "re-encoded 3 unchanged chunks" in done.stdout
    assert json.loads((data / "index.json").read_text(encoding="utf-8"))["backend"] == "hashing"
    again = run_bot("ingest", str(folder), data_dir=data, env=HASHING, timeout=300)
    assert "re-encode" not in again.stdout


def test_ingest_of_an_emptied_folder_is_refused_unless_allowed(run_bot, tmp_path):
    folder = _three_notes(tmp_path)
    data = tmp_path / "data"
    assert run_bot("ingest", str(folder), data_dir=data, env=HASHING, timeout=300).returncode == 0
    for path in folder.iterdir():
        path.unlink()
    refused = run_bot("ingest", str(folder), data_dir=data, env=HASHING, timeout=300)
    assert refused.returncode == 3
    assert "refusing to remove all of the 3 documents" in refused.stdout and "--allow-mass-delete" in refused.stdout
    allowed = run_bot("ingest", "--allow-mass-delete", str(folder), data_dir=data, env=HASHING, timeout=300)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "0 / 0 / 3" in allowed.stdout


def test_a_file_name_that_is_not_utf8_is_listed_without_a_traceback(run_bot, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ok.txt").write_text("Notes\n\nEscrow holds the milestone.\n", encoding="utf-8")
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"Cafe\n\nEscrow notes.\n")
    done = run_bot("ingest", str(folder), data_dir=tmp_path / "data", env=HASHING, timeout=300)
    assert done.returncode == 3
    assert "Traceback" not in done.stdout + done.stderr
    assert "caf\\xe9.txt: file name is not valid UTF-8; rename it" in done.stdout
