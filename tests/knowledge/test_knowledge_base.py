"""The bundled knowledge base: every file parses, every fact F01-F80 is covered, every section is citable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from ingest.chunking import chunk_document
from ingest.discovery import Candidate, walk
from ingest.documents import ParsedDocument
from ingest.reader import SUPPORTED_SUFFIXES, read_source

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
EVAL_SET = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"
ALL_FACTS = {f"F{n:02d}" for n in range(1, 81)}
POLICY_TOPICS = {
    "escrow-and-milestones", "fixed-price-disputes", "mediation", "arbitration", "hourly-protection",
    "hourly-disputes", "refunds", "chargebacks", "circumvention-and-prohibited-work", "dormant-contracts",
    "job-success-score", "direct-contracts", "ownership-of-work", "platform-terms",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _documents(folder: Path) -> list[ParsedDocument]:
    files = [c for c in walk([folder], SUPPORTED_SUFFIXES) if isinstance(c, Candidate)]
    assert files, f"no knowledge files under {folder}"
    return [read_source(c.path, source=c.source) for c in files]


@pytest.fixture(scope="module")
def policy() -> list[ParsedDocument]:
    return _documents(KNOWLEDGE / "policy")


@pytest.fixture(scope="module")
def forum() -> list[ParsedDocument]:
    return _documents(KNOWLEDGE / "forum")


def test_every_fact_is_covered(policy: list[ParsedDocument], forum: list[ParsedDocument]) -> None:
    covered = {f for doc in policy for section in doc.sections for f in section.facts}
    covered |= {f for doc in forum for f in doc.facts}
    assert ALL_FACTS - covered == set(), f"facts not covered: {sorted(ALL_FACTS - covered)}"
    assert covered - ALL_FACTS == set(), f"unknown fact ids: {sorted(covered - ALL_FACTS)}"


def test_policy_alone_covers_every_fact(policy: list[ParsedDocument]) -> None:
    covered = {f for doc in policy for section in doc.sections for f in section.facts}
    assert ALL_FACTS <= covered


def test_one_policy_file_per_topic(policy: list[ParsedDocument]) -> None:
    names = {re.sub(r"^\d+-", "", Path(doc.source).stem) for doc in policy}
    assert POLICY_TOPICS <= names


def test_every_policy_section_is_citable(policy: list[ParsedDocument]) -> None:
    for doc in policy:
        assert doc.kind == "policy", doc.source
        assert doc.title, doc.source
        assert doc.sections, f"{doc.source} has no sections"
        for section in doc.sections:
            where = f"{doc.source} § {section.label}"
            assert section.text.strip(), f"{where} is empty"
            assert section.number and re.match(r"^\d+(\.\d+)?$", section.number), where
            url = section.url or doc.url
            assert url and url.startswith("https://"), f"{where} has no official URL"
            as_of = section.as_of or doc.as_of
            assert as_of and ISO_DATE.match(str(as_of)), f"{where} has no as_of date"
            if section.number and "." in section.number:
                assert section.facts, f"{where} lists no fact ids"


def test_policy_sections_fit_one_passage(policy: list[ParsedDocument]) -> None:
    for doc in policy:
        for section in doc.sections:
            assert len(section.text.split()) <= 170, f"{doc.source} § {section.label} is too long to embed whole"


def test_section_numbers_are_unique(policy: list[ParsedDocument]) -> None:
    numbers = [s.number for doc in policy for s in doc.sections if s.number and "." in s.number]
    assert len(numbers) == len(set(numbers))


def test_forum_threads(forum: list[ParsedDocument]) -> None:
    assert len(forum) >= 15
    for doc in forum:
        assert doc.kind == "forum", doc.source
        assert len(doc.posts) >= 2, f"{doc.source}: a question and at least one answer"
        assert doc.posts[0].position == 0
        roles = {p.role for p in doc.posts[1:]}
        assert roles & {"moderator", "staff"} or any(p.accepted for p in doc.posts), (
            f"{doc.source} has neither a staff answer nor an accepted one")
        for post in doc.posts:
            assert "Page options" not in post.text and "Accepted Solution" not in post.text, doc.source
        assert chunk_document(doc), doc.source


def test_old_arbitration_fee_is_never_the_current_figure(policy: list[ParsedDocument]) -> None:
    for doc in policy:
        for section in doc.sections:
            if "$291" not in section.text:
                continue
            before = section.text.split("$291")[0]
            assert re.search(r"split|no (current )?(dollar|fixed)", before, re.I), (
                f"{doc.source} § {section.label}: the current rule must come before the old $291 figure")
            assert re.search(r"older|outdated|no longer|used to", section.text, re.I), section.label


def test_myth_is_debunked_not_stated(policy: list[ParsedDocument]) -> None:
    myth = [s for doc in policy for s in doc.sections if "F80" in s.facts]
    assert myth
    for section in myth:
        assert re.search(r"\bno upwork page\b|\bmyth\b|not supported|does not support", section.text, re.I)


def test_eval_set_covers_every_topic() -> None:
    rows = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 40
    assert len({r["id"] for r in rows}) == len(rows)
    topics = {r.get("topic") for r in rows if r["answerable"]}
    assert POLICY_TOPICS <= topics, f"topics without a question: {sorted(POLICY_TOPICS - topics)}"
    for row in rows:
        assert set(row["facts"]) <= ALL_FACTS, row["id"]
        assert bool(row["facts"]) == row["answerable"], row["id"]


def test_readme_has_disclaimer_and_update_steps() -> None:
    text = (KNOWLEDGE / "README.md").read_text(encoding="utf-8").lower()
    assert "legal advice" in text
    assert "not affiliated" in text
    assert "bot.py ingest" in text


# Question variants ("asks"): member phrasings stored next to each section / thread, embedded but never shown.
_POLICY_SECTION = re.compile(r"^## (\d+\.\d+) ", re.M)
_POLICY_ASKS = re.compile(
    r"^## (\d+\.\d+) [^\n]*\n<!-- facts:[^\n]*-->\n<!-- asks:\n((?:- [^\n]*\n)*)-->\n\S", re.M)
_FORUM_ASKS = re.compile(r"^asks:\n((?:  - [^\n]*\n)+)", re.M)


def _raw_asks() -> dict[str, list[str]]:
    """Every asks list in the knowledge base, read from the raw files: {'file § 2.5' or 'thread': [phrasings]}."""
    found: dict[str, list[str]] = {}
    for path in sorted((KNOWLEDGE / "policy").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        numbers = _POLICY_SECTION.findall(text)
        blocks = {m.group(1): m.group(2) for m in _POLICY_ASKS.finditer(text)}
        assert numbers and set(numbers) == set(blocks), (
            f"{path.name}: sections without an asks block right under the facts comment: "
            f"{sorted(set(numbers) - set(blocks))}")
        for number, block in blocks.items():
            found[f"{path.name} § {number}"] = [line[2:] for line in block.splitlines()]
    for path in sorted((KNOWLEDGE / "forum").glob("*.md")):
        front = path.read_text(encoding="utf-8").split("\n---\n", 1)[0] + "\n"
        match = _FORUM_ASKS.search(front)
        assert match, f"{path.name} has no asks: list in its front matter"
        found[path.name] = [line[4:] for line in match.group(1).splitlines()]
        assert yaml.safe_load(front.removeprefix("---\n"))["asks"] == found[path.name], (
            f"{path.name}: an asks item does not read back as the same plain string")
    return found


def test_every_section_and_thread_has_member_phrasings() -> None:
    asks = _raw_asks()
    policy_keys = [k for k in asks if " § " in k]
    assert len(policy_keys) >= 70
    assert len(asks) - len(policy_keys) == len(list((KNOWLEDGE / "forum").glob("*.md")))
    for where, items in asks.items():
        low, high = (3, 8) if " § " in where else (3, 5)
        assert low <= len(items) <= high, f"{where}: {len(items)} asks, expected {low}-{high}"
        for item in items:
            assert item.strip(), f"{where}: empty phrasing"
            assert len(item) <= 200, f"{where}: phrasing over 200 characters: {item!r}"
            assert "-->" not in item and "|" not in item, f"{where}: {item!r}"


def test_no_phrasing_is_used_twice() -> None:
    seen: dict[str, str] = {}
    for where, items in _raw_asks().items():
        for item in items:
            key = " ".join(re.sub(r"[^\w$%\s]", " ", item.lower()).split())
            assert key not in seen, f"{item!r} appears in both {seen[key]} and {where}"
            seen[key] = where


def test_phrasings_never_leak_into_the_quoted_text(
    policy: list[ParsedDocument], forum: list[ParsedDocument]
) -> None:
    asks = [item for items in _raw_asks().values() for item in items]
    passages = [s.text for doc in policy for s in doc.sections] + [p.text for doc in forum for p in doc.posts]
    for text in passages:
        assert "asks:" not in text and "<!--" not in text
    joined = "\n".join(passages).lower()
    leaked = [item for item in asks if item.lower() in joined]
    assert not leaked, f"phrasings found in the answer text: {leaked[:5]}"
