"""Checking and saving a file a moderator attached to ``/kb add`` (no Discord here: plain bytes in).

A file is refused, with a reason, when its type is not one ingestion reads, when it is over
``max_file_mb``, or when the reader cannot make sense of it (checked on a temporary copy, before anything
is written to the knowledge folder). Uploads go to ``<knowledge_dir>/uploads/`` under a sanitised name, so
they can never overwrite a bundled file; an earlier upload is replaced only when asked to.

Names stay distinct and indexable: letters with accents are folded to ASCII, names in other scripts keep a
short hash of the original (two Cyrillic names never collide as ``upload.md``), and names the folder walk
skips (``README.md``, in any case) are renamed, since the next ``/reindex`` would silently drop them.
If the ingest after saving fails, ``undo_upload`` puts the folder back as it was.

An upload never ranks as official policy because its front matter says ``kind: policy``: ingest treats
everything under ``uploads/`` as forum or other text. Only a moderator marking it as policy (``/kb add
policy:True``) saves it under ``uploads/policy/``, the one place where an upload keeps that kind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dispute_desk.settings import Settings
from ingest.discovery import IGNORED_NAMES, source_id
from ingest.documents import UnreadableSource
from ingest.formats._reading import sizes
from ingest.reader import SUPPORTED_SUFFIXES
from ingest.worker import read_guarded

UPLOADS = "uploads"
POLICY = "policy"  # uploads/policy/: uploads a moderator marked as policy
_MB = 1024 * 1024


class UploadRejected(Exception):
    """``str(exc)`` is the one-line reason shown to the moderator."""


_SKIPPED_STEMS = frozenset(Path(name).stem.lower() for name in IGNORED_NAMES if "." in name)  # readme


@dataclass(frozen=True)
class SavedUpload:
    path: Path
    previous: bytes | None  # what ``replace`` overwrote, put back by ``undo_upload``
    renamed: str | None  # why it was saved under another name than the moderator's, if it was


def _ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def sanitise_name(name: str) -> str:
    """Make a safe file name: no folders, only letters, digits, ``.-_``, no leading dot, at most 100 characters.

    Accented letters lose their accents (``Café`` -> ``Cafe``); when letters or digits cannot be written in
    ASCII at all (Cyrillic, CJK, ...), 10 hex digits of the original name's hash are appended, so different
    names give different files. A name the ingest folder walk skips (``README.md``, ``readme.TXT``) gets
    ``-upload`` appended.
    """
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    folded = _ascii_fold(stem)
    lost = sum(ch.isalnum() for ch in stem) > sum(ch.isalnum() for ch in folded)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-_")
    if lost:
        digest = hashlib.sha256(base.encode("utf-8")).hexdigest()[:10]
        stem = f"{stem}-{digest}" if stem else f"upload-{digest}"
    stem = stem or "upload"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", _ascii_fold(suffix)).lower()
    if stem.lower() in _SKIPPED_STEMS or f"{stem}.{suffix}" in IGNORED_NAMES:
        stem += "-upload"
    stem = stem[: 100 - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def rename_reason(name: str, safe: str) -> str | None:
    """Why ``name`` was saved as ``safe`` (None when it was not renamed), for the moderator."""
    if re.split(r"[\\/]", name)[-1] == safe:
        return None
    stem = safe.rpartition(".")[0] or safe
    if stem.endswith("-upload") and stem.removesuffix("-upload").lower() in _SKIPPED_STEMS:
        return "/reindex skips README files, so this one got another name"
    return "file names keep to ASCII letters, digits, - and _"


def uploads_dir(settings: Settings) -> Path:
    return settings.knowledge_dir / UPLOADS


def precheck(name: str, size: int, settings: Settings) -> None:
    """Refuse by type and size before downloading anything."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no extension"
        raise UploadRejected(f"unsupported file type ({shown}); I can read {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    limit = int(settings.ingest.max_file_mb * _MB)
    if size > limit:
        shown, allowed = sizes(size, limit)
        raise UploadRejected(f"the file is {shown}; the limit is {allowed}")


def save_upload(
    data: bytes, name: str, settings: Settings, *, replace: bool = False, policy: bool = False
) -> SavedUpload:
    """Validate ``data`` as the file ``name`` and save it under the uploads folder.

    ``policy``: a moderator vouches that this is official policy text (saved under ``uploads/policy/``).
    """
    precheck(name, len(data), settings)
    safe = sanitise_name(name)
    folder = uploads_dir(settings) / POLICY if policy else uploads_dir(settings)
    destination = folder / safe
    if destination.resolve().parent != folder.resolve():
        raise UploadRejected("that file name is not allowed")
    if destination.exists() and not replace:
        raise UploadRejected(f"an upload called {safe} already exists; add `replace: True` to replace it")
    with tempfile.TemporaryDirectory(prefix="desk-upload-") as tmp:
        probe = Path(tmp) / safe
        probe.write_bytes(data)
        try:
            # In the ingest helper process: a hostile file cannot hang or bloat the bot.
            source = source_id(destination, settings.knowledge_dir)
            read_guarded(probe, source, int(settings.ingest.max_file_mb * _MB), settings.ingest.parse_timeout_seconds)
        except UnreadableSource as exc:
            raise UploadRejected(f"I can't read it: {exc}") from None
    folder.mkdir(parents=True, exist_ok=True)
    previous = destination.read_bytes() if destination.exists() else None
    _write_atomically(destination, data)
    return SavedUpload(destination, previous, renamed=rename_reason(name, safe))


def undo_upload(saved: SavedUpload) -> None:
    """Put the uploads folder back as it was before ``save_upload`` (the ingest after it did not happen)."""
    if saved.previous is None:
        saved.path.unlink(missing_ok=True)
    else:
        _write_atomically(saved.path, saved.previous)


def _write_atomically(destination: Path, data: bytes) -> None:
    partial = destination.with_name(f".{destination.name}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
