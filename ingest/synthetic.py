"""A generated community forum export for benchmarks: Discourse topics as ``/t/<id>.json`` returns them.

Nothing here is committed as data: ``write_discourse_export(folder, posts)`` writes a deterministic export of
that many posts (topics of 2 to 24 posts, questions and replies written from varied templates about payment
disputes, with quotes, mentions, staff answers and accepted solutions), so the same command always measures
the same corpus.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

_SUBJECTS = [
    ("fixed-price milestone", "escrow"), ("hourly contract", "work diary"), ("refund request", "refund"),
    ("chargeback", "bank"), ("mediation", "mediator"), ("arbitration", "arbitration fee"),
    ("dispute", "dispute"), ("bonus payment", "bonus"), ("dormant contract", "dormant"),
    ("job success score", "feedback"), ("direct contract", "direct contract"), ("manual time", "manual time"),
    ("weekly limit", "weekly limit"), ("security hold", "pending payment"), ("ended contract", "closed contract"),
]  # fmt: skip
_CLIENT_ACTIONS = [
    "stopped answering", "asked for the money back", "opened a dispute", "filed a chargeback",
    "ended the contract", "refused to release the payment", "asked me to work outside the platform",
    "requested changes after approval", "paused the contract", "left a bad review",
]  # fmt: skip
_WORRIES = [
    "Is my payment protected?", "What should I do now?", "Can the client take the money back?",
    "How long does this take?", "Who pays the fee?", "Will this hurt my score?", "Do I have to refund?",
    "Should I contact support?", "What happens if I do nothing?", "Is there a deadline I should know about?",
]  # fmt: skip
_FACTS = [
    "The client has {days} days to review a submitted milestone before the payment is released automatically.",
    "Funds in escrow stay there until the client approves the work or a dispute is decided.",
    "Hourly protection only covers time tracked with the desktop app and described with memos.",
    "Manual time is billed like tracked time but is never covered by hourly protection.",
    "A released payment cannot be disputed through the fixed-price dispute process.",
    "Mediation is free; arbitration has a fee that both sides pay.",
    "The dispute deadline is {days} days after the client asks for a refund.",
    "Payments go through a {hold}-day security hold before they can be withdrawn.",
    "Work outside the platform is not protected, and asking for it breaks the terms of service.",
    "A chargeback is decided by the client's bank, not by the marketplace.",
    "Feedback from a disputed contract can still count towards the job success score.",
    "A contract with no activity for 90 days is marked dormant, and the escrow follows the dormant rules.",
    "The weekly limit caps what the client is billed; hours over it are not paid or protected.",
    "Support can only step in when the conversation happened in the platform's messages.",
    "A bonus can be sent up to {days} days after the contract ends.",
]  # fmt: skip
_ADVICE = [
    "Keep every message on the platform so there is a record.",
    "Submit the work through the contract, not by email or a shared drive.",
    "Write clear memos for every segment of tracked time.",
    "Answer the dispute notice before the deadline, or the refund goes through.",
    "Don't refund just because the client is pressuring you.",
    "Take screenshots of the contract terms and the approved milestones.",
    "Ask support to look at the case; they answer within a couple of days.",
    "Check the transaction history to see when the payment becomes available.",
    "If the amount is small, arbitration may cost more than it is worth.",
    "Report any request to pay outside the platform.",
]  # fmt: skip
_OPENERS = ["Hi {name},", "Hello {name}!", "@{name} --", "Thanks for asking.", "Same happened to me.", ""]
_NAMES = ["matt", "petra_k", "goran_s", "amara_w", "liu", "dmitri", "sofia_va", "chen", "paula", "rafa"]


def _sentence(rng: random.Random, template: str) -> str:
    return template.format(days=rng.choice([3, 5, 7, 14, 30, 90]), hold=rng.choice([5, 10]))


def _question(rng: random.Random, subject: str, number: int) -> tuple[str, str]:
    action = rng.choice(_CLIENT_ACTIONS)
    title = f"{subject.capitalize()}: the client {action} ({number})"
    amount = rng.randrange(20, 4000)
    body = [
        f"I have a {subject} worth ${amount} and the client {action} {rng.randrange(1, 30)} days ago.",
        rng.choice(_WORRIES),
    ]
    if rng.random() < 0.5:
        body.append(f"I already {rng.choice(['messaged him', 'waited a week', 'asked support', 'sent the files'])}.")
    return title, " ".join(body)


def _reply(rng: random.Random, asker: str, keyword: str, question: str) -> str:
    paragraphs = []
    opener = rng.choice(_OPENERS).format(name=asker)
    if rng.random() < 0.15:
        paragraphs.append(f"<blockquote><p>{question[:120]}</p></blockquote>")
    facts = " ".join(_sentence(rng, rng.choice(_FACTS)) for _ in range(rng.randrange(1, 4)))
    paragraphs.append(f"<p>{opener} {facts}</p>" if opener else f"<p>{facts}</p>")
    if rng.random() < 0.7:
        advice = " ".join(rng.sample(_ADVICE, rng.randrange(1, 3)))
        paragraphs.append(f"<p>About the {keyword}: {advice}</p>")
    if rng.random() < 0.1:
        mention = rng.choice(_NAMES)
        link = f'<a class="mention" href="/u/{mention}">@{mention}</a>'
        paragraphs.append(f"<p>As {link} said, check the help center.</p>")
    return "".join(paragraphs)


def _post(
    number: int, topic: int, user: str, cooked: str, *, staff: bool, accepted: bool, day: int
) -> dict[str, object]:
    return {
        "id": topic * 100 + number,
        "username": user,
        "name": user.replace("_", " ").title(),
        "created_at": f"2026-{(day // 28) % 12 + 1:02d}-{day % 28 + 1:02d}T{number % 24:02d}:00:00.000Z",
        "cooked": cooked,
        "post_number": number,
        "post_type": 1,
        "topic_id": topic,
        "moderator": staff and number % 2 == 0,
        "admin": False,
        "staff": staff,
        "hidden": False,
        "deleted_at": None,
        "user_deleted": False,
        "accepted_answer": accepted,
    }


def write_discourse_export(folder: Path, posts: int, *, seed: int = 10) -> int:
    """Write topics holding ``posts`` posts in total into ``folder`` (one JSON file per topic).

    Returns the number of topic files written.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = topics = 0
    while written < posts:
        topic = 10_000 + topics
        size = min(posts - written, rng.randrange(2, 25))
        subject, keyword = rng.choice(_SUBJECTS)
        title, question = _question(rng, subject, topic)
        asker = rng.choice(_NAMES)
        accepted = rng.randrange(2, size + 1) if size > 1 and rng.random() < 0.4 else None
        stream = [_post(1, topic, asker, f"<p>{question}</p>", staff=False, accepted=False, day=topic)]
        for number in range(2, size + 1):
            staff = rng.random() < 0.08
            user = "support_team" if staff else rng.choice([n for n in _NAMES if n != asker])
            stream.append(
                _post(number, topic, user, _reply(rng, asker, keyword, question), staff=staff,
                      accepted=number == accepted, day=topic)
            )
        data = {
            "id": topic,
            "title": title,
            "slug": f"topic-{topic}",
            "created_at": stream[0]["created_at"],
            "posts_count": size,
            "accepted_answer": {"post_number": accepted} if accepted else None,
            "post_stream": {"posts": stream, "stream": [p["id"] for p in stream]},
        }
        (folder / f"{topic}.json").write_text(json.dumps(data), encoding="utf-8")
        written += size
        topics += 1
    return topics
