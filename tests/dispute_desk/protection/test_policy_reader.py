"""The protection check reads cited policy files through the reader a front end passes in (the core never imports
ingest); the ingestion reader it is normally given makes a missing or unreadable file a dangling citation."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dispute_desk.protection import DanglingCitations, ProtectionCheck
from ingest.documents import ParsedDocument
from ingest.reader import read_policy


def test_the_guide_reads_each_cited_file_once_through_the_given_reader(knowledge_copy: Path) -> None:
    asked: list[str] = []

    def reader(path: Path) -> ParsedDocument | None:
        asked.append(path.name)
        return read_policy(path)

    protection_check = ProtectionCheck.load(knowledge_copy, reader)
    cited = {cite.file for _, cite in protection_check.ruleset.all_cites()}
    assert sorted(asked) == sorted(cited)  # every cited file, each once
    assert all(citation.title for citation in protection_check.citations.values())


def test_a_reader_that_finds_nothing_makes_every_citation_dangling(knowledge_copy: Path) -> None:
    with pytest.raises(DanglingCitations) as caught:
        ProtectionCheck.load(knowledge_copy, lambda path: None)
    assert caught.value.dangling and all("does not exist or cannot be read" in d for d in caught.value.dangling)


def test_an_unreadable_cited_file_is_named_and_logged(knowledge_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    damaged = knowledge_copy / "policy" / "02-fixed-price-disputes.md"
    damaged.write_bytes(b"\x00\x01\x02binary\xff\xfe" * 100)
    with caplog.at_level(logging.WARNING, logger="ingest.reader"), pytest.raises(DanglingCitations) as caught:
        ProtectionCheck.load(knowledge_copy, read_policy)
    assert any("policy/02-fixed-price-disputes.md does not exist or cannot be read" in d for d in caught.value.dangling)
    assert "cannot read cited policy file" in caplog.text and "02-fixed-price-disputes.md" in caplog.text


def test_read_policy_is_none_for_a_missing_file(tmp_path: Path) -> None:
    assert read_policy(tmp_path / "policy" / "99-gone.md") is None
