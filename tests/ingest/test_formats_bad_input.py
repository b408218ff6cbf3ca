"""Files a moderator might upload by mistake: each is refused with a one-line reason, never a crash."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from ingest.documents import UnreadableSource
from ingest.reader import SUPPORTED_SUFFIXES, read_source


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html", "empty.json"])
@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n  ", b"\xef\xbb\xbf\n"])
def test_empty_files(tmp_path, name, data):
    with pytest.raises(UnreadableSource, match=r"^empty file$"):
        read_source(_write(tmp_path, name, data))


def test_binary_junk_named_txt(tmp_path):
    junk = random.Random(7).randbytes(4096)
    with pytest.raises(UnreadableSource, match=r"^binary data, not text$"):
        read_source(_write(tmp_path, "notes.txt", junk))


def test_binary_junk_without_nul_bytes(tmp_path):
    junk = bytes(b for b in random.Random(8).randbytes(8192) if b)  # still garbage, just no NULs
    with pytest.raises(UnreadableSource, match=r"^binary data, not text$"):
        read_source(_write(tmp_path, "notes.md", junk))


def test_a_png_renamed_to_md(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(UnreadableSource, match="binary data"):
        read_source(_write(tmp_path, "diagram.md", png))


def test_invalid_utf8_names_the_offset(tmp_path):
    data = "Le client a demandé".encode("latin-1") + b" un remboursement.\n"
    with pytest.raises(UnreadableSource) as info:
        read_source(_write(tmp_path, "note.txt", data))
    assert str(info.value) == "not valid UTF-8 (first bad byte at offset 18); save it as UTF-8"


def test_utf16_text_is_named_as_such(tmp_path):
    data = "Refund notes\n\nThe client asked for the escrow back.\n".encode("utf-16")
    with pytest.raises(UnreadableSource, match=r"^not valid UTF-8 \(the file is UTF-16\); save it as UTF-8$"):
        read_source(_write(tmp_path, "notes.txt", data))


def test_invalid_utf8_offset_counts_the_bom(tmp_path):
    data = b"\xef\xbb\xbfAB\xff and then an ordinary sentence about escrow."
    with pytest.raises(UnreadableSource, match=r"offset 5\)"):
        read_source(_write(tmp_path, "note.md", data))


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened although it is over the limit")

    monkeypatch.setattr(io, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(UnreadableSource) as info:
        read_source(path)
    assert str(info.value) == "file is 50 MB, over the 20 MB limit"


def test_size_limit_is_configurable(tmp_path):
    path = _write(tmp_path, "small.txt", b"Escrow notes\n\n" + b"word " * 400)
    with pytest.raises(UnreadableSource, match=r"^file is 2 KB, over the 1 KB limit$"):
        read_source(path, max_bytes=1000)
    assert read_source(path, max_bytes=10_000).title == "Escrow notes"


@pytest.mark.parametrize(("name", "shown"), [("contract.docx", ".docx"), ("README", "(no extension)")])
def test_unknown_suffix_lists_what_is_supported(tmp_path, name, shown):
    path = _write(tmp_path, name, b"Some text")
    with pytest.raises(UnreadableSource) as info:
        read_source(path)
    message = str(info.value)
    assert message.startswith(f"unsupported file type {shown} (supported: ")
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(UnreadableSource, match=r"^file not found$"):
        read_source(tmp_path / "gone.md")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(UnreadableSource, match="directory"):
        read_source(tmp_path / "folder.md")


def test_suffix_is_case_insensitive_and_source_defaults_to_the_path(tmp_path):
    path = _write(tmp_path, "NOTES.TXT", b"Escrow notes\n\nFunds stay in escrow until approval.\n")
    doc = read_source(path)
    assert doc.source == str(path)
    assert doc.title == "Escrow notes"


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_garbage_never_escapes_as_another_exception(tmp_path, suffix):
    rng = random.Random(suffix)
    samples = [
        b"{" * 50,
        b"<html><body><div class='lia-message-body-content'></div></body></html>",
        b'{"post_stream": {"posts": [{"cooked": 5}]}}',
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"---\n: : :\n---\n",
        bytes(rng.randrange(32, 127) for _ in range(2000)),
        b"<div>" * 5000 + b"deeply nested" + b"</div>" * 5000,
    ]
    for i, data in enumerate(samples):
        path = _write(tmp_path, f"sample{i}{suffix}", data)
        try:
            doc = read_source(path)
        except UnreadableSource as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert doc.title
            assert doc.sections or doc.posts
