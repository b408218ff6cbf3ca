"""Plain-text reader: title line, numbered sections, or paragraph groups small enough to embed."""

from __future__ import annotations

from pathlib import Path

from ingest.reader import read_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_numbered_headings_become_sections():
    doc = read_source(FIXTURES / "notes" / "dispute-checklist.txt")
    assert doc.kind == "other"
    assert doc.format == "text"
    assert doc.title == "Dispute checklist for freelancers"
    assert [s.label for s in doc.sections] == [
        "Dispute checklist for freelancers",
        "1.1 Before you submit work",
        "1.2 When the client asks for a refund",
        "1.3 What to send the mediator",
    ]
    # The heading line is not repeated in the text, and wrapped lines read as one paragraph.
    assert doc.sections[2].text == (
        "Read the request carefully. You can accept it, offer a partial refund, or decline it. Declining "
        "starts a dispute on a fixed-price contract."
    )


def test_text_without_headings_is_packed_into_small_sections():
    path = FIXTURES / "notes" / "community-notes.txt"
    doc = read_source(path)
    assert doc.title == "Community notes on getting paid"
    assert len(doc.sections) > 1
    assert all(len(s.text.split()) <= 150 for s in doc.sections)
    assert all(s.number is None for s in doc.sections)
    body = path.read_text(encoding="utf-8").split("\n", 1)[1]
    assert " ".join(s.text for s in doc.sections).split() == body.split()  # nothing lost, nothing added


def test_one_long_paragraph_is_cut_at_sentence_ends(tmp_path):
    sentence = "The client opened a dispute about the third milestone after the deadline had passed. "
    path = tmp_path / "long.txt"
    path.write_text("Long note\n\n" + sentence * 30, encoding="utf-8")
    doc = read_source(path)
    assert len(doc.sections) >= 2
    assert all(len(s.text.split()) <= 150 for s in doc.sections)
    assert all(s.text.endswith("passed.") for s in doc.sections)


def test_top_level_numbered_title_keeps_its_number(tmp_path):
    path = tmp_path / "04-fees.txt"
    path.write_text(
        "4. Arbitration fees\n\nEach side pays its own fee.\n\n"
        "4.1 Late payment\nThe side that pays on time wins the funds.\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    assert doc.title == "Arbitration fees"
    assert [(s.number, s.heading, s.text) for s in doc.sections] == [
        ("4", "Arbitration fees", "Each side pays its own fee."),
        ("4.1", "Late payment", "The side that pays on time wins the funds."),
    ]


def test_numbered_list_items_are_not_headings(tmp_path):
    path = tmp_path / "steps.txt"
    path.write_text(
        "Steps\n\n1. Open the contract and find the refund request.\n\n2. Decline it if the work was delivered.\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    assert [s.number for s in doc.sections] == [None]
    assert "1. Open the contract" in doc.sections[0].text


def test_utf8_bom_and_windows_newlines_are_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffCafé payments\r\n\r\nThe client paid 50 € into escrow.\r\n".encode())
    doc = read_source(path)
    assert doc.title == "Café payments"
    assert doc.sections[0].text == "The client paid 50 € into escrow."


def test_single_line_file_keeps_its_text(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("Escrow is released when the client approves the milestone.\n", encoding="utf-8")
    doc = read_source(path)
    assert doc.sections[0].text == "Escrow is released when the client approves the milestone."
