"""PDF reader: numbered policy sections survive, locked, broken and scanned PDFs are refused clearly."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.documents import UnreadableSource
from ingest.reader import read_source


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def make_pdf(pages: list[list[str]], *, title: str | None = None) -> bytes:
    """Write a small valid PDF by hand: Helvetica text, one line per string, one content stream per page."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 56 780 Td"]
        ops += [b"(" + _escape(line) + b") Tj T*" for line in lines]
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (tree, font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = add(b"<< /Title (" + _escape(title) + b") >>") if title else None

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    trailer += b" /Info %d 0 R >>" % info if info else b" >>"
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


POLICY_PAGES = [
    [
        "4. Arbitration and its fees",
        "When mediation does not settle a fixed-price dispute, either side can ask",
        "for arbitration by an outside arbitrator.",
        "4.1 What arbitration is",
        "Arbitration is a binding decision about the money held in escrow for the",
        "disputed milestone. The arbitrator reads the contract and the messages.",
        "Example Payments Guide",
        "1",
    ],
    [
        "4.2 Who pays and how much",
        "Each side pays its own fee before the case starts. If one side does not",
        "pay on time, the escrow funds go to the side that paid.",
        "Example Payments Guide",
        "2",
    ],
    [
        "4.3 After the decision",
        "The funds are released according to the decision within a few busi-",
        "ness days.",
        "Example Payments Guide",
        "3",
    ],
]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_policy_pdf_keeps_numbered_sections(tmp_path):
    doc = read_source(_write(tmp_path, "arbitration.pdf", make_pdf(POLICY_PAGES)))
    assert doc.format == "pdf"
    assert doc.title == "Arbitration and its fees"
    assert [s.label for s in doc.sections] == [
        "4 Arbitration and its fees",
        "4.1 What arbitration is",
        "4.2 Who pays and how much",
        "4.3 After the decision",
    ]
    assert doc.sections[1].text == (
        "Arbitration is a binding decision about the money held in escrow for the disputed milestone. "
        "The arbitrator reads the contract and the messages."
    )
    # Running footer and page numbers are gone; a word broken across lines is whole again.
    assert all("Example Payments Guide" not in s.text for s in doc.sections)
    assert doc.sections[2].text.endswith("the escrow funds go to the side that paid.")
    assert doc.sections[3].text.endswith("within a few business days.")


def test_paragraph_running_over_a_page_break_stays_whole(tmp_path):
    pages = [
        ["Escrow notes", "2.1 Releasing funds", "When the client approves the milestone, the funds"],
        ["are released to the freelancer after a short security hold."],
    ]
    doc = read_source(_write(tmp_path, "notes.pdf", make_pdf(pages)))
    assert doc.sections[-1].label == "2.1 Releasing funds"
    assert doc.sections[-1].text == (
        "When the client approves the milestone, the funds are released to the freelancer after a short security hold."
    )


def test_pdf_title_from_metadata(tmp_path):
    pages = [["Refund checklist", "Keep delivery messages and dated files. They are the evidence."]]
    doc = read_source(_write(tmp_path, "c.pdf", make_pdf(pages, title="Refund checklist for freelancers")))
    assert doc.title == "Refund checklist for freelancers"
    assert "Keep delivery messages and dated files." in doc.sections[0].text


def test_pdf_without_numbering_uses_first_line_as_title(tmp_path):
    pages = [["Chargeback notes", "A chargeback reverses a card payment. Reply to the notice with proof."]]
    doc = read_source(_write(tmp_path, "notes.pdf", make_pdf(pages)))
    assert doc.title == "Chargeback notes"
    assert [(s.number, s.text) for s in doc.sections] == [
        (None, "A chargeback reverses a card payment. Reply to the notice with proof.")
    ]


def test_pdf_locked_with_a_password_is_refused(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(POLICY_PAGES))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    buffer = BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableSource, match=r"^PDF is encrypted$"):
        read_source(_write(tmp_path, "locked.pdf", buffer.getvalue()))


def test_pdf_locked_only_against_editing_is_read(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(POLICY_PAGES))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = BytesIO()
    writer.write(buffer)
    doc = read_source(_write(tmp_path, "owner-only.pdf", buffer.getvalue()))
    assert [s.number for s in doc.sections] == ["4", "4.1", "4.2", "4.3"]


def test_truncated_pdf_is_refused(tmp_path):
    data = make_pdf(POLICY_PAGES)
    with pytest.raises(UnreadableSource, match=r"^PDF could not be read: .*truncated"):
        read_source(_write(tmp_path, "cut.pdf", data[: len(data) // 2]))


def test_corrupt_pdf_is_refused(tmp_path):
    data = b"%PDF-1.7\n" + b"garbage that is not a PDF body " * 20 + b"\n%%EOF\n"
    with pytest.raises(UnreadableSource, match=r"^PDF could not be read: "):
        read_source(_write(tmp_path, "corrupt.pdf", data))


def test_scanned_pdf_without_text_is_refused(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableSource, match=r"^PDF has no extractable text \(scanned image\?\)$"):
        read_source(_write(tmp_path, "scan.pdf", buffer.getvalue()))


def test_other_file_renamed_to_pdf_is_refused(tmp_path):
    with pytest.raises(UnreadableSource, match="not a PDF file"):
        read_source(_write(tmp_path, "notes.pdf", b"Just some notes about escrow.\n"))
