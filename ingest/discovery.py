"""Which files an ingest run reads, and the source id each one gets."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# Files in a knowledge folder that are about the folder, not knowledge to answer from.
IGNORED_NAMES = frozenset({"README.md", "readme.md", "README.txt", "LICENSE", ".gitkeep", ".DS_Store"})
IGNORED_DIRS = frozenset({"rules", "__pycache__"})


def source_id(path: Path) -> str:
    """Path relative to the working directory when inside it (stable across checkouts), else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


@dataclass(frozen=True)
class Scope:
    """What one given path covers: sources under it that vanished are removed from the index."""

    source: str
    is_dir: bool

    def covers(self, source: str) -> bool:
        if self.is_dir:
            return source.startswith(self.source.rstrip("/") + "/")
        return source == self.source


@dataclass(frozen=True)
class Candidate:
    path: Path
    source: str
    explicit: bool  # named on the command line rather than found in a folder


def scopes_for(paths: Sequence[Path]) -> list[Scope]:
    return [Scope(source_id(p), p.is_dir()) for p in paths if p.exists()]


@dataclass(frozen=True)
class Skipped:
    """A file not read: ``error`` when it was named explicitly or is missing, else a reported skip."""

    path: Path
    reason: str
    error: bool


def _unsupported(path: Path, suffixes: frozenset[str]) -> str:
    return f"unsupported file type {path.suffix or '(none)'} (supported: {', '.join(sorted(suffixes))})"


def walk(paths: Sequence[Path], suffixes: frozenset[str]) -> Iterator[Candidate | Skipped]:
    """Every file to read, or a ``Skipped`` with the reason it is not read.

    Inside folders, hidden files and README files are passed over silently, and files of unknown types are
    reported as skipped; a missing path or an explicitly named file of unknown type is an error.
    """
    for path in paths:
        if not path.exists():
            yield Skipped(path, "no such file or folder", error=True)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in IGNORED_DIRS)
                for name in sorted(files):
                    if name.startswith(".") or name in IGNORED_NAMES:
                        continue
                    file = Path(root) / name
                    if file.suffix.lower() in suffixes:
                        yield Candidate(file, source_id(file), explicit=False)
                    else:
                        yield Skipped(file, _unsupported(file, suffixes), error=False)
        elif path.suffix.lower() not in suffixes:
            yield Skipped(path, _unsupported(path, suffixes), error=True)
        else:
            yield Candidate(path, source_id(path), explicit=True)
