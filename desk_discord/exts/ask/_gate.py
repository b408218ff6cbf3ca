"""Whether a question is taken at all: DMs setting, empty, too long, per-member cooldown (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from desk_discord.ratelimit import Cooldown
from desk_discord.wording import say
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts


@dataclass(frozen=True)
class Refusal:
    reason: str  # dm | empty | too_long | cooldown
    text: str


class QuestionGate:
    def __init__(self, settings: Settings, texts: Texts, cooldown: Cooldown) -> None:
        self.settings = settings
        self.texts = texts
        self.cooldown = cooldown

    def check(self, *, user_id: int, in_dm: bool, question: str) -> Refusal | None:
        """None when the question should be answered (and then the member's cooldown starts)."""
        if in_dm and not self.settings.discord.answer_dms:
            return Refusal("dm", say(self.texts, "dm_refused"))
        question = question.strip()
        if not question:
            return Refusal("empty", self.texts.greeting)
        limit = self.settings.answering.max_question_chars
        if len(question) > limit:
            return Refusal("too_long", self.texts.get("too_long", length=len(question), limit=limit))
        wait = self.cooldown.hit(user_id)
        if wait > 0:
            return Refusal("cooldown", say(self.texts, "cooldown", seconds=math.ceil(wait)))
        return None
