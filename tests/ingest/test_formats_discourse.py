"""Discourse topic JSON: posts in order, roles from the staff flags, accepted answers, no system posts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.documents import UnreadableSource
from ingest.reader import read_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "discourse"


def test_topic_with_a_moderator_answer_accepted_on_the_post():
    doc = read_source(FIXTURES / "4401-escrow-release-after-approval.json", source="forum/4401.json")
    assert doc.source == "forum/4401.json"
    assert doc.kind == "forum"
    assert doc.format == "discourse"
    assert doc.title == "How long until escrow is released after approval?"
    assert doc.date == "2026-06-01"
    assert doc.url is None
    # The "closed the topic" small action is not a post.
    assert [(p.position, p.author, p.role, p.accepted) for p in doc.posts] == [
        (0, "amara_w", "member", False),
        (1, "liu_mod", "moderator", True),
    ]
    assert doc.posts[0].text == (
        "The client approved my milestone this morning.\n\nWhen will the funds be available to withdraw?"
    )
    assert doc.posts[1].text.endswith("- Check the transaction history for the date.\n- Holidays can add a day.")


def test_topic_level_accepted_answer_admin_role_and_no_whispers():
    doc = read_source(FIXTURES / "4402-client-ignores-dispute.json")
    assert [(p.author, p.role, p.accepted) for p in doc.posts] == [
        ("jonas_p", "member", False),
        ("farah_admin", "staff", True),
        ("peer_helper", "member", False),
    ]
    assert "Internal note" not in " ".join(p.text for p in doc.posts)
    assert "~ Farah" not in doc.posts[1].text
    assert "@jonas_p check your email" in doc.posts[1].text  # mentions read as text, no HTML left
    assert "<" not in doc.posts[1].text
    assert doc.posts[2].text.endswith("Same here, I paid the fee and the funds came back to me.")


def test_hidden_posts_are_skipped():
    doc = read_source(FIXTURES / "4403-hourly-disputed-memo.json")
    assert [p.author for p in doc.posts] == ["dev_nkem", "tom_c"]
    assert [p.position for p in doc.posts] == [0, 1]


def test_a_directory_of_topics(tmp_path):
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "categories.json").write_text(json.dumps({"category_list": {"categories": []}}), "utf-8")
    read, refused = {}, {}
    for path in sorted(tmp_path.iterdir()):
        try:
            read[path.name] = read_source(path)
        except UnreadableSource as exc:
            refused[path.name] = str(exc)
    assert sorted(read) == [
        "4401-escrow-release-after-approval.json",
        "4402-client-ignores-dispute.json",
        "4403-hourly-disputed-memo.json",
    ]
    assert [len(doc.posts) for doc in read.values()] == [2, 3, 2]
    assert len({doc.title for doc in read.values()}) == 3
    assert refused == {"categories.json": "JSON is not a Discourse topic: missing post_stream.posts"}


def test_url_is_kept_when_the_json_has_one(tmp_path):
    data = json.loads((FIXTURES / "4403-hourly-disputed-memo.json").read_text("utf-8"))
    data["url"] = "https://forum.example.net/t/hourly-disputed-memo/4403"
    path = tmp_path / "topic.json"
    path.write_text(json.dumps(data), "utf-8")
    assert read_source(path).url == "https://forum.example.net/t/hourly-disputed-memo/4403"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"title": "No posts here"}', "JSON is not a Discourse topic: missing post_stream.posts"),
        ("[1, 2, 3]", "JSON is not a Discourse topic: missing post_stream.posts"),
        ('{"post_stream": {"posts": "nope"}}', "JSON is not a Discourse topic: missing post_stream.posts"),
        ('{"post_stream": {"posts": []}}', "Discourse topic has no readable posts"),
        ('{"title": "x", "post_stream": {"posts": [{"cooked": "<p> </p>"}]}}', "Discourse topic has no readable posts"),
        ('{"title": "cut off", "post_stream": {"po', "not valid JSON (line 1, column 38): Unterminated string"),
    ],
)
def test_json_that_is_not_a_topic(tmp_path, content, reason):
    path = tmp_path / "export.json"
    path.write_text(content, "utf-8")
    with pytest.raises(UnreadableSource) as info:
        read_source(path)
    assert str(info.value).startswith(reason)
