"""Checking and saving a file a moderator attached to ``/kb add`` (no Discord here: plain bytes in).

A file is refused, with a reason, when its type is not one ingestion reads, when it is over
``max_file_mb``, or when the reader cannot make sense of it (checked on a temporary copy, before anything
is written to the knowledge folder). Uploads go to ``<knowledge_dir>/uploads/`` under a sanitised name, so
they can never overwrite a bundled file; an earlier upload is replaced only when asked to.

An upload never ranks as official policy because its front matter says ``kind: policy``: ingest treats
everything under ``uploads/`` as forum or other text. Only a moderator marking it as policy (``/kb add
policy:True``) saves it under ``uploads/policy/``, the one place where an upload keeps that kind.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from dispute_desk.settings import Settings
from ingest.discovery import source_id
from ingest.documents import UnreadableSource
from ingest.formats import SUPPORTED_SUFFIXES
from ingest.formats._reading import sizes
from ingest.worker import read_guarded

UPLOADS = "uploads"
POLICY = "policy"  # uploads/policy/: uploads a moderator marked as policy
_MB = 1024 * 1024


class UploadRejected(Exception):
    """``str(exc)`` is the one-line reason shown to the moderator."""


def sanitise_name(name: str) -> str:
    """Make a safe file name: no folders, only letters, digits, ``.-_``, no leading dot, at most 100 characters."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_") or "upload"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()
    stem = stem[: 100 - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def uploads_dir(settings: Settings) -> Path:
    return settings.knowledge_dir / UPLOADS


def precheck(name: str, size: int, settings: Settings) -> None:
    """Refuse by type and size before downloading anything."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no extension"
        raise UploadRejected(f"unsupported file type ({shown}); I can read {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    limit = int(settings.max_file_mb * _MB)
    if size > limit:
        shown, allowed = sizes(size, limit)
        raise UploadRejected(f"the file is {shown}; the limit is {allowed}")


def save_upload(
    data: bytes, name: str, settings: Settings, *, replace: bool = False, policy: bool = False
) -> Path:
    """Validate ``data`` as the file ``name`` and save it under the uploads folder; returns its path.

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
            read_guarded(probe, source, int(settings.max_file_mb * _MB), settings.parse_timeout_seconds)
        except UnreadableSource as exc:
            raise UploadRejected(f"I can't read it: {exc}") from None
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{safe}.part"
    partial.write_bytes(data)
    os.replace(partial, destination)
    return destination
