"""The privacy guard finds what identifies a member, a client or a contract, and leaves ordinary questions alone."""

from __future__ import annotations

import pytest

from dispute_desk.privacy import describe, find_details, redact


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ("My client is ignoring me, I wrote to him at john.smith@example.com twice", "email", "john.smith@example.com"),
        ("he says call him on +44 20 7946 0958 instead of Upwork", "phone", "+44 20 7946 0958"),
        ("my number is (555) 123-4567, please DM", "phone", "(555) 123-4567"),
        ("text me on whatsapp 07700900123", "phone", "07700900123"),
        ("Contract 38291746 was disputed yesterday", "contract_id", "38291746"),
        ("offer #4412097 never got funded", "contract_id", "4412097"),
        ("contract id: 27719403, what now?", "contract_id", "27719403"),
        ("the job ~01a2b3c4d5e6f7a8b9 was closed", "contract_id", "~01a2b3c4d5e6f7a8b9"),
        ("see https://www.upwork.com/nx/wm/workroom/38291746/overview", "contract_link",
         "https://www.upwork.com/nx/wm/workroom/38291746/overview"),
        ("here: upwork.com/ab/contracts/12345/details", "contract_link", "upwork.com/ab/contracts/12345/details"),
        ("my client John Smith refuses to release the milestone", "client_name", "John Smith"),
        ("The client's name is Priya and she disputed my hours", "client_name", "Priya"),
        ("my client, Tom Baker, opened a dispute", "client_name", "Tom Baker"),
        ("the contract is for $12,437.18 and he wants it all back", "amount", "$12,437.18"),
        ("he ended contract with $4,372 in escrow", "amount", "$4,372"),
    ],
)
def test_personal_details_are_found(text: str, kind: str, detail: str) -> None:
    found = find_details(text)
    assert [(d.kind, d.text) for d in found] == [(kind, detail)]


@pytest.mark.parametrize(
    "text",
    [
        "My client disputed a $500 milestone, what can I do?",
        "Is the $1,500 fixed-price contract covered if the client never responds?",
        "The client ended the contract with $1,750 in escrow. Does bad feedback hurt my case?",
        "the arbitration fee is $291 per party, is that right?",
        "The review period is 14 days, right? I submitted on 2026-11-20.",
        "What does section 6.2 of the terms say? And § 4.1?",
        "I submitted work on Nov 3, 2026 and 11/20/2026 was the last day",
        "My client opened a dispute after 30 days. Can he still do that?",
        "The Client Refused to pay my Hourly Protection claim",
        "Upwork support sent me https://support.upwork.com/hc/en-us/articles/211068468 about disputes",
        "I logged 40 hours at $25/hr, about $1,000, and my client disputed 12.5 hours",
        "Payments released after a 5 day security period, 10:30 AM",
        "my client Has disputed the milestone",
        "https://community.upwork.com/t5/Freelancers/dispute-help/td-p/1234567",
        "@everyone <@&123456789012345678> <@!123456789012345679> <#123456789012345670> my client won't pay",
        "see https://discord.com/channels/123456789012345678/123456789012345679 and <:upwork:123456789012345678>",
    ],
)
def test_ordinary_questions_do_not_trigger(text: str) -> None:
    assert find_details(text) == []


def test_redact_replaces_every_detail_and_keeps_the_question() -> None:
    text = "My client John Smith (john@acme.io) disputed contract 38291746, call me on 555-123-4567"
    redacted = redact(text)
    assert redacted == "My client [client name] ([e-mail]) disputed contract [contract id], call me on [phone number]"
    for secret in ("John Smith", "john@acme.io", "38291746", "555-123-4567"):
        assert secret not in redacted


def test_describe_names_each_kind_once() -> None:
    found = find_details("a@b.co and c@d.co, contract 12345678")
    assert describe(found) == "an e-mail address and a contract or offer id"
    assert redact("nothing here") == "nothing here"
