"""The prompt a chat model writes from, rendered from the files in ``prompts/llm/``.

The model sees the member's question and the retrieved passages, and nothing else. Passages are fenced as
quoted data (``<passages>`` ... ``</passages>``, one ``<passage>`` each); text inside a passage that looks
like one of those tags is defused first, so a forum post cannot close the fence and talk to the model as if
it were the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dispute_desk.models import Hit
from dispute_desk.retrieval import is_authoritative
from dispute_desk.texts import PromptsMissing

REFUSAL_MARKER = "NOT_IN_PASSAGES"
FILES = ("system", "refusal", "passage", "question", "context")

_TAG = re.compile(r"<(/?)\s*(passages?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """One retrieved passage as the model sees it, under the number it may cite."""

    number: int
    hit: Hit

    @property
    def kind(self) -> str:
        chunk = self.hit.chunk
        if chunk.kind != "forum":
            return chunk.kind
        if chunk.author_role in ("staff", "moderator"):
            return "forum answer by staff"
        if chunk.accepted:
            return "forum answer marked accepted"
        return "forum reply by a member (may be wrong)" if not is_authoritative(chunk) else "forum answer"

    @property
    def title(self) -> str:
        chunk = self.hit.chunk
        title = f"{chunk.title} § {chunk.section}" if chunk.section else chunk.title
        return _attribute(title)

    @property
    def text(self) -> str:
        return self.hit.chunk.body.strip()


def defuse(text: str) -> str:
    """``text`` with anything that looks like a passage tag made harmless (``<`` becomes ``‹``)."""
    return _TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def _attribute(value: str) -> str:
    return defuse(value).replace('"', "'").replace("\n", " ")


@dataclass(frozen=True)
class WritingPrompt:
    """The templates; ``render`` turns a question and its passages into a system and a user message."""

    system: str
    refusal: str
    passage: str
    question: str
    context: str

    @classmethod
    def load(cls, folder: Path) -> WritingPrompt:
        texts: dict[str, str] = {}
        for name in FILES:
            path = folder / f"{name}.txt"
            try:
                texts[name] = path.read_text(encoding="utf-8").strip("\n")
            except OSError as exc:
                raise PromptsMissing(f"missing prompt file {path}: {exc.strerror}") from exc
            if not texts[name].strip():
                raise PromptsMissing(f"empty prompt file {path}")
        return cls(**texts)

    def passages(self, hits: Sequence[Hit]) -> list[Passage]:
        return [Passage(number, hit) for number, hit in enumerate(hits, start=1)]

    def render(self, question: str, passages: Sequence[Passage], context: str | None = None) -> tuple[str, str]:
        """The system message and the user message."""
        system = self.system.format(refusal=self.refusal.format(marker=REFUSAL_MARKER))
        blocks = "\n\n".join(
            self.passage.format(number=p.number, kind=p.kind, title=p.title, text=defuse(p.text)) for p in passages
        )
        follow_up = self.context.format(context=context) + "\n" if context else ""
        user = self.question.format(passages=blocks, context=follow_up, question=question)
        return system, user
