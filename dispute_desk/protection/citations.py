"""Citations of the rules file resolved against the policy guide: title, section label and URL.

``resolve_citations`` reads each cited policy file once with the ingestion reader, so a section number in
the rules file means exactly what the index means by it. A reference to a missing file or section fails
loudly, listing every such reference at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dispute_desk.protection.rules import Cite, RulesError, RuleSet

log = logging.getLogger(__name__)

POLICY_DIR = "policy"  # cited files are inside <knowledge>/policy/


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


def resolve_citations(rules: RuleSet, knowledge_dir: Path) -> dict[Cite, Citation]:
    """Each cited (file, section) -> its Citation; DanglingCitations lists every reference that does not exist."""
    from ingest.documents import UnreadableSource
    from ingest.formats import read_source

    policy_dir = knowledge_dir / POLICY_DIR
    documents: dict[str, Any] = {}
    resolved: dict[Cite, Citation] = {}
    dangling: list[str] = []
    for who, cite in rules.all_cites():
        if cite in resolved:
            continue
        if cite.file not in documents:
            path = policy_dir / cite.file
            try:
                documents[cite.file] = read_source(path) if path.is_file() else None
            except UnreadableSource as exc:
                log.warning("cannot read cited policy file %s: %s", path, exc)
                documents[cite.file] = None
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
