"""Getting bytes and text out of a file safely: size limit first, then encoding and junk checks."""

from __future__ import annotations

from pathlib import Path

from ingest.documents import UnreadableSource

_MB = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
# Bytes that never occur in text files (controls other than tab, newlines, form feed, and DEL).
_CONTROL_BYTES = frozenset(set(range(0x00, 0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D} | {0x7F})
_BINARY_SAMPLE = 64 * 1024


def _size(size: int) -> str:
    """'50 MB', '20.5 MB', or '3 KB' under a megabyte."""
    if size < _MB:
        return f"{max(1, round(size / 1024))} KB"
    value = size / _MB
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Return the file's bytes; refuse missing files, directories and files over ``max_bytes`` before reading."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnreadableSource("file not found") from None
    except OSError as exc:
        raise UnreadableSource(f"cannot open file: {exc.strerror or exc}") from None
    if path.is_dir():
        raise UnreadableSource("is a directory, not a file")
    if info.st_size > max_bytes:
        raise UnreadableSource(f"file is {_size(info.st_size)}, over the {_size(max_bytes)} limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableSource(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew between stat and read
        raise UnreadableSource(f"file is {_size(len(data))}, over the {_size(max_bytes)} limit")
    return data


def looks_binary(data: bytes) -> bool:
    """Tell whether data has a NUL byte or a large share of bytes that never occur in text."""
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b in _CONTROL_BYTES)
    return controls > 0.1 * len(sample)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 text (a BOM is accepted), refusing empty files, binary data and other encodings."""
    skipped = len(_BOM) if data.startswith(_BOM) else 0
    data = data[skipped:]
    if not data.strip():
        raise UnreadableSource("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # what Windows tools call "Unicode"
        raise UnreadableSource("not valid UTF-8 (the file is UTF-16); save it as UTF-8")
    if looks_binary(data):
        raise UnreadableSource("binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Random bytes fail UTF-8 nearly everywhere; a text file in another encoding fails here and there.
        garbled = data[:_BINARY_SAMPLE].decode("utf-8", errors="replace").count("\ufffd")
        if garbled > 0.3 * len(data[:_BINARY_SAMPLE]):
            raise UnreadableSource("binary data, not text") from None
        raise UnreadableSource(
            f"not valid UTF-8 (first bad byte at offset {exc.start + skipped}); save it as UTF-8"
        ) from None
    if not text.strip():
        raise UnreadableSource("empty file")
    return text


def read_text(path: Path, max_bytes: int) -> str:
    return decode_text(read_bytes(path, max_bytes))
