"""Personal details in a question: find them, name them, redact them (pure; no Discord, no I/O).

Upset members paste contract ids, e-mail addresses, phone numbers, their client's name and links to their
contract pages into public channels. Front ends call ``find_details`` before answering in public: when it finds
something they continue privately, never repeat the details, and the journal keeps ``redact``'s version.

The patterns aim at what identifies a person or a contract. Ordinary question material must not trigger them:
dollar amounts ("$500 milestone"), dates ("2026-11-20", "Nov 3"), durations ("14 days") and section numbers
("6.2", "§ 4.1"). An amount counts only when it is large, exact to the dollar or cent, and tied to a contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What each kind is called when the member is told what was found (and the placeholder that replaces it).
LABELS: dict[str, tuple[str, str]] = {
    "email": ("an e-mail address", "[e-mail]"),
    "phone": ("a phone number", "[phone number]"),
    "contract_id": ("a contract or offer id", "[contract id]"),
    "contract_link": ("a link to a contract or offer page", "[contract link]"),
    "client_name": ("your client's name", "[client name]"),
    "amount": ("the exact contract amount", "[amount]"),
}

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# Pages of one member's contract, offer, proposal, workroom or messages (not help articles or forum threads).
_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?upwork\.com/(?:[\w-]+/)*?"
    r"(?:contracts?|offers?|workroom|messages|proposals?|reports|jobs/~|freelance-jobs/apply)[^\s<>)\]]*",
    re.IGNORECASE,
)

# "+44 20 7946 0958", "(555) 123-4567", "555.123.4567"; digit counts are checked in ``_phone_ok``.
_PHONE = re.compile(
    r"(?<![\w$.])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w.]*\d)"
)
# A bare run of digits after a word that says it is a phone number ("call me on 07700900123").
_PHONE_WORDED = re.compile(
    r"(?i:\b(?:phone|mobile|cell|whats\s?app|telegram|call me|text me|tel)\b[^0-9\n]{0,20})(\+?\d[\d\s-]{8,16}\d)"
)

# "contract 38291746", "offer #4412097", "contract id: 27719403", "~01a2b3c4d5e6f7a8b9" (job/contract keys).
_CONTRACT_ID = re.compile(
    r"(?i:\b(?:contract|offer|job|proposal|milestone|order|invoice|transaction|dispute|case|ticket)s?\b"
    r"\s*(?:id|number|no\.?|ref(?:erence)?)?\s*[:#]?\s*)(#?\d{6,})\b"
    r"|~0[0-9a-f]{12,}\b"
    # Any other long bare number is an id, unless it is a price, a date, a section, or a Discord mention/emoji id.
    r"|(?<![\w$.,/\-@&!#:<])\d{8,}(?![\w.,/-]*\d)"
)

_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
# "my client John Smith", "the client's name is Ana", "client named Priya", "my buyer, Tom Baker,".
_CLIENT_NAME = re.compile(
    rf"(?i:\b(?:my|our|the|this)\s+(?:client|buyer|customer|employer)(?:'s\s+name\s+is|\s+is\s+called|"
    rf"\s+(?:named|called)|\s*[,:(-]?\s*(?:mr\.?|mrs\.?|ms\.?|dr\.?)?)\s*)({_NAME}(?:\s+{_NAME})?)\b"
)
# Words that follow "my client" in an ordinary sentence and are capitalised only by accident or as a name of
# something else; a single word must follow "named"/"called"/"name is" to count.
_NOT_NAMES = frozenset(
    re.split(
        r"\s+",
        "I I'm Upwork Support Hourly Fixed Protection Payment Mediation Arbitration Milestone The A An And But So "
        "Has Had Is Was Opened Filed Disputed Refused Said Says Wants Asked Ended Left Never Didn't Won't",
    )
)

_AMOUNT = re.compile(
    r"(?:US\$|\$|USD\s?)(\d{1,3}(?:,\d{3})+|\d{4,})(\.\d{2})?"
    r"|(\d{1,3}(?:,\d{3})+|\d{4,})(\.\d{2})?\s?(?:USD|dollars)"
)
_CONTRACT_WORD = re.compile(r"(?i)\bcontract\b")
AMOUNT_MIN = 1000  # smaller amounts are ordinary question material ("a $500 milestone")
AMOUNT_NEAR = 50  # characters between the amount and the word "contract"


@dataclass(frozen=True)
class Detail:
    """One personal detail found in a text: its kind (a ``LABELS`` key) and where it is."""

    kind: str
    start: int
    end: int
    text: str


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _phone_ok(text: str) -> bool:
    digits = _digits(text)
    if re.match(r"\d{4}-\d{2}-\d{2}", text):  # an ISO date, not a number
        return False
    return 10 <= digits <= 15 if not text.startswith("+") else 8 <= digits <= 15


def _client_name_ok(name: str, lead: str) -> bool:
    words = name.split()
    if words[0] in _NOT_NAMES or any(w in _NOT_NAMES for w in words):
        return False
    introduced = re.search(r"(?i)name\s+is|named|called|mr|mrs|ms|dr", lead) is not None
    return len(words) >= 2 or introduced


def _amount_ok(text: str, match: re.Match[str], whole: str) -> bool:
    number, cents = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    value = float(number.replace(",", "") + (cents or ""))
    if value < AMOUNT_MIN:
        return False
    exact = bool(cents and cents != ".00") or value % 10 != 0  # $4,372 or $912.40, not $1,750 or $2,000
    if not exact:
        return False
    window = whole[max(0, match.start() - AMOUNT_NEAR) : match.end() + AMOUNT_NEAR]
    return _CONTRACT_WORD.search(window) is not None


def find_details(text: str) -> list[Detail]:
    """Every personal detail in ``text``, in order, without overlaps (the first, longest pattern wins)."""
    found: list[Detail] = []
    for match in _EMAIL.finditer(text):
        found.append(Detail("email", match.start(), match.end(), match.group()))
    for match in _LINK.finditer(text):
        found.append(Detail("contract_link", match.start(), match.end(), match.group()))
    for match in _PHONE.finditer(text):
        if _phone_ok(match.group()):
            found.append(Detail("phone", match.start(), match.end(), match.group()))
    for match in _PHONE_WORDED.finditer(text):
        if 9 <= _digits(match.group(1)) <= 15:
            found.append(Detail("phone", match.start(1), match.end(1), match.group(1)))
    for match in _CONTRACT_ID.finditer(text):
        group = 1 if match.group(1) else 0
        found.append(Detail("contract_id", match.start(group), match.end(group), match.group(group)))
    for match in _CLIENT_NAME.finditer(text):
        lead = text[match.start() : match.start(1)]
        if _client_name_ok(match.group(1), lead):
            found.append(Detail("client_name", match.start(1), match.end(1), match.group(1)))
    for match in _AMOUNT.finditer(text):
        if _amount_ok(match.group(), match, text):
            found.append(Detail("amount", match.start(), match.end(), match.group()))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[Detail] = []
    for detail in found:
        if kept and detail.start < kept[-1].end:
            continue
        kept.append(detail)
    return kept


def has_details(text: str) -> bool:
    return bool(find_details(text))


def redact(text: str, details: list[Detail] | None = None) -> str:
    """``text`` with every personal detail replaced by a placeholder such as ``[e-mail]``."""
    details = find_details(text) if details is None else details
    out, last = [], 0
    for detail in details:
        out.append(text[last : detail.start])
        out.append(LABELS[detail.kind][1])
        last = detail.end
    out.append(text[last:])
    return "".join(out)


def describe(details: list[Detail]) -> str:
    """What was found, in words: "an e-mail address and a phone number" (each kind once, in order)."""
    kinds = list(dict.fromkeys(d.kind for d in details))
    names = [LABELS[k][0] for k in kinds]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
