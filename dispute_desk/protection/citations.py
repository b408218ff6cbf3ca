"""Citations of the rules file resolved against the policy guide: title, section label and URL.

``resolve_citations`` reads each cited policy file once with the reader it is given. Front ends pass the
ingestion reader (``ingest.reader.read_policy``), so a section number in the rules file means exactly what
the index means by it; the core itself never imports ``ingest`` (the layer rule, checked by import-linter).
A reference to a missing file or section fails loudly, listing every such reference at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dispute_desk.protection.rules import Cite, RulesError, RuleSet

POLICY_DIR = "policy"  # cited files are inside <knowledge>/policy/


class PolicySection(Protocol):
    """What a citation needs from one section of a read policy file."""

    @property
    def number(self) -> str | None: ...
    @property
    def heading(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...


class PolicyDocument(Protocol):
    """What a citation needs from a read policy file (``ingest``'s ``ParsedDocument`` has all of it)."""

    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def sections(self) -> Sequence[PolicySection]: ...


PolicyReader = Callable[[Path], PolicyDocument | None]
"""Reads one cited policy file as the index reads it; None when the file is missing or cannot be read."""


class DanglingCitations(RulesError):
    """Some rules cite a policy file or section that does not exist."""

    def __init__(self, dangling: list[str]) -> None:
        self.dangling = dangling
        lines = "\n".join(f"- {item}" for item in dangling)
        super().__init__(f"{len(dangling)} citation(s) point to nothing in the policy guide:\n{lines}")


@dataclass(frozen=True)
class Citation:
    """A cited section of the policy guide, ready to show."""

    file: str
    number: str
    heading: str
    title: str
    url: str | None

    @property
    def section(self) -> str:
        return f"{self.number} {self.heading}".strip()

    @property
    def label(self) -> str:
        return f"{self.title} § {self.section}"

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "section": self.section, "number": self.number, "file": self.file, "url": self.url}


def resolve_citations(rules: RuleSet, knowledge_dir: Path, read_policy: PolicyReader) -> dict[Cite, Citation]:
    """Each cited (file, section) -> its Citation; DanglingCitations lists every reference that does not exist."""
    policy_dir = knowledge_dir / POLICY_DIR
    documents: dict[str, PolicyDocument | None] = {}
    resolved: dict[Cite, Citation] = {}
    dangling: list[str] = []
    for who, cite in rules.all_cites():
        if cite in resolved:
            continue
        if cite.file not in documents:
            documents[cite.file] = read_policy(policy_dir / cite.file)
        document = documents[cite.file]
        if document is None:
            dangling.append(f"{who} cites {cite}, but {POLICY_DIR}/{cite.file} does not exist or cannot be read")
            continue
        section = next((s for s in document.sections if s.number == cite.section), None)
        if section is None:
            dangling.append(f"{who} cites {cite}, but {POLICY_DIR}/{cite.file} has no section {cite.section}")
            continue
        resolved[cite] = Citation(
            file=cite.file,
            number=cite.section,
            heading=section.heading or "",
            title=document.title,
            url=section.url or document.url,
        )
    if dangling:
        raise DanglingCitations(dangling)
    return resolved
