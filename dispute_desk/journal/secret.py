"""The secret that salts member-id hashes: from ``DESK_HASH_SECRET`` or a file created once in the data dir."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

SALT_BYTES = 32  # a new secret: 256 random bits
MIN_SECRET_BYTES = 16  # refuse anything shorter: a short salt makes member ids guessable again
SECRET_ENV = "DESK_HASH_SECRET"


class JournalUnavailable(Exception):
    """The journal cannot be used as configured (damaged database, bad secret); ``str(exc)`` says how to fix it."""


def parse_secret(text: str, *, origin: str) -> bytes:
    """Turn the hex text of a hashing secret into bytes, refusing empty, non-hex or short values."""
    value = text.strip()
    try:
        secret = bytes.fromhex(value)
    except ValueError:
        secret = b""
        problem = "is not hexadecimal"
    else:
        problem = "is empty" if not value else f"is too short ({len(secret)} bytes)"
    if len(secret) >= MIN_SECRET_BYTES:
        return secret
    raise JournalUnavailable(
        f"the member-id hashing secret {origin} {problem}; it must be at least {2 * MIN_SECRET_BYTES} hex "
        f"digits (e.g. `python -c \"import secrets; print(secrets.token_hex(32))\"`). "
        "Restore the original from a backup: a new secret makes earlier votes and follow-ups unrecognisable"
    )


def load_salt(path: Path) -> bytes:
    """Load the secret that salts member-id hashes from ``path``, creating it the first time.

    A new secret is written to a private temporary file (0600), flushed to disk, then linked into place,
    which fails if another process got there first: the file is either absent or complete, never empty or
    half-written, and every process starting at once ends up with the one secret that won. An existing empty
    or malformed file is refused (``JournalUnavailable``), never silently used.
    """
    try:
        return parse_secret(path.read_text(encoding="ascii"), origin=f"in {path}")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalUnavailable(f"cannot read the member-id hashing secret {path}: {exc}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_secret(path)
    except OSError as exc:
        raise JournalUnavailable(
            f"cannot create the member-id hashing secret {path} ({exc}); free some space or fix the "
            f"permissions of {path.parent}, or set {SECRET_ENV}"
        ) from exc
    return parse_secret(path.read_text(encoding="ascii"), origin=f"in {path}")


def _create_secret(path: Path) -> None:
    """Write a new random secret to ``path`` unless one appeared meanwhile (see ``load_salt``)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(os.urandom(SALT_BYTES).hex())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: its secret is the one
            os.link(tmp, path)  # atomic, and never replaces an existing secret
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
