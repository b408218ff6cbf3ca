"""Reading a member's question the way a helper would: find the ask(s), keep the story as context.

Members post stories ("I've been on this contract for 3 months ... the client ended it ... what do I do?"),
often with two asks in one message and time in words ("more than a month ago"). ``understand`` splits the
message into its asks and the context around them and adds the knowledge base's words for what the member
said (``prompts/vocabulary.yaml``: "two weeks" -> "14 days", "ghosted" -> "unresponsive"), so that each ask
can be searched on its own and answered in its own part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from dispute_desk.lexical import tokens

MAX_ASKS = 3

_SENTENCE = re.compile(r"(?<=[.?!])[\"”')\]]*\s+|\n+|(?<=\?)(?=\S)")
_ASK_START = re.compile(
    r"^(so |and |but |also |ok |okay |now |then |pls |please |anyway |honestly |seriously |basically )*"
    r"(how|what|whats|what's|when|where|why|who|which|can|could|should|would|will|do|does|did|is|are|am|was|were|"
    r"has|have|any|anyone|anybody|help|tell me|explain|give me|send me|find me|get me|show me|dig up|look up|pull up|"
    r"write|draft|solve|do my|make me|i need to know|i want to know|i'd like to know|"
    r"wondering|is there|are there|difference|mediation vs|dispute vs|arbitration vs)\b",
    re.IGNORECASE,
)
_ASK_INSIDE = re.compile(
    r"\b(what (do|should|can|now|happens|are my)|how (do|can|long|much|many|does)|what now|am i protected|"
    r"do i (have|get|need|lose|win)|can i|is it (normal|allowed|possible|true|legal|safe)|any (advice|idea|tips)|"
    r"what are my options|is that (allowed|normal|true|right)|should i)\b",
    re.IGNORECASE,
)
# "... and will this hurt my JSS?": a second question joined to the first inside one sentence.
_SECOND_ASK = re.compile(
    r"[,;]?\s+(?:and|also|plus|\+)\s+(?:also\s+)?(?=(?:will|would|can|could|does|do|is|are|should|what|how|when|"
    r"where|why|who|am i)\b)",
    re.IGNORECASE,
)

# the words of a sentence that names the member's problem ("the payment is disputed with his bank")
_PROBLEM = re.compile(
    r"\b(disput\w*|chargeback\w*|charge ?back|refund\w*|arbitrat\w*|mediat\w*|dormant|suspen\w*|ended|closed|"
    r"cancell?ed|ghost\w*|revers\w*|scam\w*|fraud\w*|banned|hold)\b",
    re.IGNORECASE,
)
# "I used to sell on Etsy and had claims there, but on Upwork how does it work?": the story before "but"
_BUT = re.compile(r",\s*but\s+", re.IGNORECASE)
# "... anyone watching the world cup? anyway quick one: what's the smallest milestone?": the member turns to the
# real question, so what they asked before it was small talk (told, not asked); the marker itself is dropped, and
# what follows a named question ("real question, upwork now says ...") is the ask even without a question mark
_TURN = re.compile(
    r"^(?:(?:ok|okay|so|but|and|alright)\W*\s+)*"
    r"(?:(?P<anyway>any ?ways?|any ?how)|back to (?:my|the) (?:question|point)|"
    r"(?P<named>(?:(?:my|the|a|one)\s+)?(?:(?:real|actual|main|quick|only|serious)\s+)+(?:question|q|one)(?:\s+is)?))"
    r"(?:\W+|$)",
    re.IGNORECASE,
)
# "unrelated but does anyone know good pizza in lisbon?": an aside, not what the member came to ask
_ASIDE = re.compile(r"^(?:unrelated|off[- ]topic|random (?:q|question)|side (?:note|question)|btw|by the way)\b", re.I)


@dataclass(frozen=True)
class Question:
    """A member's message, read: the whole text, its asks, and the story around them."""

    text: str
    asks: tuple[str, ...]
    context: str
    expansion: str = ""  # the knowledge base's words for what the member said, searched but never shown
    leads: tuple[str, ...] = ()  # per ask: what a short ask needs from before it ("" for none), see understand
    asides: tuple[str, ...] = ()  # questions set aside as small talk ("unrelated but ...?"), part of the context

    @property
    def search_text(self) -> str:
        return f"{self.text} {self.expansion}".strip()

    def ask_queries(self, vocabulary: Vocabulary | None = None) -> tuple[str, ...]:
        """One search query per ask: an ask that is short ("what do I do?") or names no problem ("if I just
        wait, does the money come to me?") carries what was said before it (see ``understand``).
        """
        if len(self.asks) <= 1 and not self.context:
            return ()
        out = []
        for n, ask in enumerate(self.asks):
            query = ask
            lead = self.leads[n] if n < len(self.leads) else ""
            short = len(tokens(ask)) < 4
            if short and not _PROBLEM.search(f"{lead} {ask}"):
                # "... we met here 5 months ago. allowed?": nothing near the ask says what it is about, so the
                # ask is the whole message, not the aside just before it
                query = self.text
            elif lead and (short or not _PROBLEM.search(ask)):
                query = f"{lead} {ask}"
            if vocabulary is not None:
                query = f"{query} {vocabulary.expand(query)}".strip()
            out.append(query)
        return tuple(out)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    means: str


@dataclass(frozen=True)
class Vocabulary:
    """Member wording mapped to knowledge-base wording (``prompts/vocabulary.yaml``)."""

    rules: tuple[_Rule, ...] = ()

    @classmethod
    def from_yaml(cls, path: Path) -> Vocabulary:
        if not path.exists():
            return cls()
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rules = [
            _Rule(re.compile(entry["pattern"], re.IGNORECASE), str(entry["means"]))
            for key in ("time_words", "phrases")
            for entry in raw.get(key) or []
        ]
        return cls(tuple(rules))

    def expand(self, text: str) -> str:
        """The knowledge-base words for what ``text`` says and does not say already, space-separated, each once
        ("funded milestone" gains nothing: repeating its words would only weigh the story more than the ask).
        """
        said = set(tokens(text))

        def new(word: str) -> bool:  # a stopword ("not", "does") has no tokens and is kept
            terms = set(tokens(word))
            return not terms or not terms <= said

        found = [word for rule in self.rules if rule.pattern.search(text) for word in rule.means.split()]
        return " ".join(word for word in dict.fromkeys(found) if new(word))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


# "was angry enough to post it.", "did her whole brand kit." : a story told without "I", not a question
_STATEMENT = re.compile(r"^(so |and |but |also |ok |okay |now |then )*(was|were|had|has|have|am|did)\b.*\.$", re.I)


def is_ask(sentence: str) -> bool:
    sentence = sentence.rstrip()
    if sentence.endswith("?"):
        return True
    if _STATEMENT.match(sentence) and not _ASK_INSIDE.search(sentence):
        return False
    return bool(_ASK_START.match(sentence) or _ASK_INSIDE.search(sentence))


def understand(text: str, vocabulary: Vocabulary | None = None) -> Question:
    """Split ``text`` into its asks (at most three, in order) and the context; the last sentence is the ask
    when no sentence reads as one.

    Each ask also gets what a short one needs from before it: the nearest earlier sentence or ask that names
    the problem ("client opened a dispute on my hourly contract"), and the one just before it.
    """
    sentences = _sentences(text)
    asks: list[tuple[str, str]] = []  # (what was said before the ask, the ask)
    context: list[str] = []
    said: list[str] = []  # context sentences and asks so far, in the message's order
    asides: list[str] = []
    last = ""
    for sentence in sentences:
        named = False
        while turn := _TURN.match(sentence):  # "anyway quick one: ..."; what was asked before it was small talk
            asides.extend(ask for _, ask in asks)
            context.extend(ask for _, ask in asks)
            asks = []
            named = named or bool(turn["named"])
            sentence = sentence[turn.end():].strip()
        if not sentence:
            continue
        last = sentence
        if named and not is_ask(sentence):
            asks.append((_before(said), sentence))
            said.append(sentence)
        elif _ASIDE.match(sentence) and is_ask(sentence):
            asides.append(sentence)
            context.append(sentence)
            said.append(sentence)
        elif is_ask(sentence):
            story, sentence = _story_before_but(sentence)
            if story:
                context.append(story)
                said.append(story)
            for part in _SECOND_ASK.split(sentence):
                if len(tokens(part)) >= 1:
                    asks.append((_before(said), part.strip()))
                    said.append(part.strip())
        else:
            context.append(sentence)
            said.append(sentence)
    if not asks and asides and last:  # the turn led to no question: the last sentence after it is the ask
        asks = [(_before(said[:-1]), last)]
        context = [piece for piece in context if piece != last]
        asides = [aside for aside in asides if aside != last]
    elif not asks and sentences:
        asks = [(_before(sentences[:-1]), last or sentences[-1])]
        context = sentences[:-1]
    merged = _merge_fragments(asks)[:MAX_ASKS]
    expansion = vocabulary.expand(text) if vocabulary is not None else ""
    return Question(text=text, asks=tuple(ask for _, ask in merged), context=" ".join(context), expansion=expansion,
                    leads=tuple(lead for lead, _ in merged), asides=tuple(asides))


# "... the refund is sorted. different thing: what's the best time to send proposals?": the member changes the
# subject, so what follows is a question of its own, read without the story before it
_NEW_SUBJECT = re.compile(
    r"(?:^|(?<=[.!?)])\s+|\n)\s*(?:(?:ok|okay|so|and|anyway|also)\W*\s+)?"
    r"(?:different (?:thing|question|topic)|(?:totally |completely |kinda |somewhat )?unrelated(?: question| q)?|"
    r"off[- ]topic|on (?:an)?other note|chang(?:e|ing) (?:of )?(?:the )?subject|(?:a )?(?:new|other|separate|side) "
    r"(?:question|topic)|back to (?:job hunting|work|the grind|business)(?: now)?)\s*[:,.!\-\u2014]+\s*",
    re.IGNORECASE,
)


def new_subject(text: str) -> str | None:
    """What follows the member's last change of subject ("different thing:", "unrelated:", "back to job hunting:"),
    when a question follows it; else None.
    """
    ends = [found.end() for found in _NEW_SUBJECT.finditer(text)]
    if not ends:
        return None
    rest = text[ends[-1]:].strip()
    return rest if len(tokens(rest)) >= 2 else None


def _before(said: list[str]) -> str:
    """The nearest earlier piece naming the problem, then the piece just before (once when they are one)."""
    if not said:
        return ""
    problem = next((piece for piece in reversed(said) if _PROBLEM.search(piece)), "")
    return " ".join(dict.fromkeys(piece for piece in (problem, said[-1]) if piece))


def _story_before_but(sentence: str) -> tuple[str, str]:
    """("story", "ask") when an ask sentence opens with a story and turns with ", but" to the ask; else
    ("", sentence). Only a story that asks nothing itself is split off.
    """
    parts = _BUT.split(sentence, maxsplit=1)
    if len(parts) == 2 and not is_ask(parts[0]) and is_ask(parts[1]):
        return parts[0].strip(), parts[1].strip()
    return "", sentence


def _merge_fragments(asks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Asks with no content word of their own ("right?", "what now?") join the ask before them."""
    out: list[tuple[str, str]] = []
    for lead, ask in asks:
        if out and len(tokens(ask)) < 2:
            out[-1] = (out[-1][0], f"{out[-1][1]} {ask}")
        else:
            out.append((lead, ask))
    return out


def normalise_question(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_FOLLOW_UP = re.compile(r"^(and|but|or|so|what if|what about|how about|also|then|same|in that case)\b", re.I)


def follow_up_context(question: str, previous: str | None) -> str | None:
    """The earlier question, when ``question`` reads as a follow-up to it ("and what if it was hourly?")."""
    if not previous:
        return None
    if _FOLLOW_UP.match(question.strip()) or len(tokens(question)) <= 3:
        return previous
    return None
