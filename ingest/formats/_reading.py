"""Getting bytes and text out of a file safely: size limit first, then encoding and junk checks."""

from __future__ import annotations

import os
import stat
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


def sizes(size: int, limit: int) -> tuple[str, str]:
    """A size over ``limit`` and the limit, as text that never reads as equal ('1.0 MB' over '1 MB')."""
    shown, allowed = _size(size), _size(limit)
    if shown.split()[1] == allowed.split()[1] and float(shown.split()[0]) <= float(allowed.split()[0]):
        return f"{size:,} bytes", f"{allowed} ({limit:,} bytes)"
    return shown, allowed


def over_limit(size: int, limit: int) -> str:
    """'file is 50 MB, over the 20 MB limit'; in bytes when the rounded figures would look the same."""
    shown, allowed = sizes(size, limit)
    return f"file is {shown}, over the {allowed} limit"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Return the file's bytes, reading at most ``max_bytes`` (+1 to notice more).

    Only regular files are read: a FIFO, a device (``/dev/zero``), a socket or a directory is refused
    before any read, so nothing can hang or fill memory. The file is opened non-blocking (a FIFO would
    otherwise block in ``open``) and checked with ``fstat`` on the open descriptor, so it cannot be
    swapped for something else in between.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableSource("file not found") from None
    except IsADirectoryError:
        raise UnreadableSource("is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableSource(f"cannot open file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableSource("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableSource(f"not a regular file ({_file_type(info.st_mode)}); only regular files are read")
        if info.st_size > max_bytes:
            raise UnreadableSource(over_limit(info.st_size, max_bytes))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            block = os.read(fd, min(remaining, 1 << 20))
            if not block:
                break
            chunks.append(block)
            remaining -= len(block)
    except OSError as exc:
        raise UnreadableSource(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # grew between stat and read
        raise UnreadableSource(f"file grew over the {_size(max_bytes)} limit while it was read")
    return data


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


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
