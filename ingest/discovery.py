"""Which files an ingest run reads, and the source id each one gets.

Source ids do not depend on the working directory: a file inside the knowledge folder
(``DESK_KNOWLEDGE_DIR``) is named by its path relative to that folder (``policy/04-arbitration.md``), any
other file by its absolute path. Running the same ingest from another directory therefore finds the same
ids and changes nothing.

Inside a folder, only regular files are read. A symbolic link is followed only when its target stays inside
the folder being ingested; a link leading out of it (to ``/etc/passwd``, ``/dev/zero``, another checkout) is
reported and skipped, and so are named pipes, devices and sockets. File names that are not valid UTF-8 are
reported, not read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# Files in a knowledge folder that are about the folder, not knowledge to answer from.
IGNORED_NAMES = frozenset({"README.md", "readme.md", "README.txt", "LICENSE", ".gitkeep", ".DS_Store"})
IGNORED_DIRS = frozenset({"rules", "__pycache__"})


def display_path(path: Path | str) -> str:
    """A path as printable text, even when its name is not valid UTF-8 (bad bytes shown escaped)."""
    return os.fsencode(str(path)).decode("utf-8", errors="backslashreplace")


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _lexical(path: Path) -> Path:
    """Absolute path with the folders resolved but the last component kept (a link stays the link)."""
    absolute = Path(os.path.abspath(path))
    return absolute.parent.resolve() / absolute.name if absolute.name else absolute.resolve()


def source_id(path: Path, base: Path | None = None) -> str:
    """The stored id of ``path``: relative to ``base`` (the knowledge folder) when inside it, else absolute."""
    lexical = _lexical(path)
    if base is not None:
        try:
            relative = lexical.relative_to(base.resolve())
        except ValueError:
            pass
        else:
            return relative.as_posix() if relative.parts else ""
    return lexical.as_posix()


def source_path(source: str, base: Path | None) -> Path:
    """Where the file behind a source id lives (the inverse of ``source_id``)."""
    path = Path(source)
    if path.is_absolute() or base is None:
        return path
    return base / path


@dataclass(frozen=True)
class PathScope:
    """What one given path covers: sources under it that vanished are removed from the index."""

    source: str
    is_dir: bool

    def covers(self, source: str) -> bool:
        if self.is_dir:
            if self.source == "":  # the knowledge folder itself: every relative id
                return not source.startswith("/")
            return source.startswith(self.source.rstrip("/") + "/")
        return source == self.source


@dataclass(frozen=True)
class Candidate:
    path: Path
    source: str
    explicit: bool  # named on the command line rather than found in a folder


def scopes_for(paths: Sequence[Path], base: Path | None = None) -> list[PathScope]:
    return [PathScope(source_id(p, base), p.is_dir()) for p in paths if p.exists()]


@dataclass(frozen=True)
class Skipped:
    """A file not read: ``error`` when it was named explicitly or is missing, else a reported skip."""

    path: Path
    reason: str
    error: bool


def _unsupported(path: Path, suffixes: frozenset[str]) -> str:
    return f"unsupported file type {path.suffix or '(none)'} (supported: {', '.join(sorted(suffixes))})"


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _check_file(file: Path, root: Path) -> str | None:
    """Why a file found in the folder ``root`` (resolved) must not be read, or None when it may be."""
    try:
        own = file.lstat()
    except OSError as exc:
        return f"cannot open file: {exc.strerror or exc}"
    if stat.S_ISLNK(own.st_mode):
        try:
            target = file.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symbolic link"
        if not target.is_relative_to(root):
            return "symbolic link to a file outside the ingested folder; not followed"
        try:
            own = target.stat()
        except OSError as exc:
            return f"cannot open file: {exc.strerror or exc}"
    if not stat.S_ISREG(own.st_mode):
        return f"not a regular file ({_kind_of(own.st_mode)}); only regular files are read"
    return None


def _walk_folder(folder: Path, suffixes: frozenset[str], base: Path | None) -> Iterator[Candidate | Skipped]:
    root = folder.resolve()
    for current, dirs, files in os.walk(root):  # never descends into symlinked folders
        here = Path(current)
        kept = []
        for name in sorted(dirs):
            if name.startswith(".") or name in IGNORED_DIRS:
                continue
            if not _valid_name(name):
                yield Skipped(here / name, "folder name is not valid UTF-8; rename it", error=True)
            elif (here / name).is_symlink():
                yield Skipped(here / name, "symbolic link to a folder; not followed", error=False)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name.startswith(".") or name in IGNORED_NAMES:
                continue
            file = here / name
            if not _valid_name(name):
                yield Skipped(file, "file name is not valid UTF-8; rename it", error=True)
            elif file.suffix.lower() not in suffixes:
                yield Skipped(file, _unsupported(file, suffixes), error=False)
            elif (reason := _check_file(file, root)) is not None:
                yield Skipped(file, reason, error=False)
            else:
                yield Candidate(file, source_id(file, base), explicit=False)


def walk(paths: Sequence[Path], suffixes: frozenset[str], base: Path | None = None) -> Iterator[Candidate | Skipped]:
    """Every file to read, or a ``Skipped`` with the reason it is not read.

    Inside folders, hidden files and README files are passed over silently; files of unknown types,
    links leading out of the folder and special files are reported as skipped. A missing path or an
    explicitly named file of unknown type (or not a regular file) is an error. ``base`` is the knowledge
    folder that source ids are relative to.
    """
    for path in paths:
        if not _valid_name(str(path)):
            yield Skipped(path, "file name is not valid UTF-8; rename it", error=True)
        elif not path.exists():
            yield Skipped(path, "no such file or folder", error=True)
        elif path.is_dir():
            yield from _walk_folder(path, suffixes, base)
        elif path.suffix.lower() not in suffixes:
            yield Skipped(path, _unsupported(path, suffixes), error=True)
        elif not path.is_file():
            yield Skipped(path, f"not a regular file ({_kind_of(path.stat().st_mode)})", error=True)
        else:
            yield Candidate(path, source_id(path, base), explicit=True)
