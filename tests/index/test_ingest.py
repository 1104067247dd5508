"""Reading source files: discovery, decoding, HTML and Markdown to text."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import ingest
from index.errors import UnreadableFile


def test_decode_utf8_and_boms():
    text = "Việt Nam — Kamikawa"
    assert ingest.decode(text.encode("utf-8")).text == text
    assert ingest.decode(codecs.BOM_UTF8 + text.encode("utf-8")).text == text
    assert ingest.decode(text.encode("utf-16")).text == text  # with BOM
    assert ingest.decode(text.encode("utf-16-le")).text == text  # BOM-less, detected
    assert ingest.decode(text.encode("utf-16-be")).text == text


def test_cp1252_fallback_warns():
    decoded = ingest.decode("Minister’s café meeting".encode("cp1252"))
    assert decoded.text == "Minister’s café meeting"
    assert decoded.encoding == "cp1252"
    assert "cp1252" in decoded.warning


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", "binary"),
    ],
)
def test_unreadable_inputs_have_reasons(data, reason):
    with pytest.raises(UnreadableFile) as err:
        ingest.decode(data, "x.txt")
    assert reason in err.value.reason


def test_html_to_text_drops_scripts_and_keeps_paragraphs():
    markup = (
        "<html><head><title>Readout</title><script>alert('x')</script><style>p{}</style></head>"
        "<body><nav>Home</nav><h1>Meeting &amp; lunch</h1><p>On <b>October 10</b>, the ministers met.</p>"
        '<iframe src="http://evil"></iframe><p><a href="javascript:alert(1)">link</a> text</p></body></html>'
    )
    text = ingest.html_to_text(markup)
    assert "alert" not in text and "p{}" not in text and "evil" not in text
    paragraphs = text.split("\n\n")
    assert "Meeting & lunch" in paragraphs
    assert "On October 10, the ministers met." in paragraphs
    assert "link text" in paragraphs


def test_broken_html_does_not_raise():
    assert "text" in ingest.html_to_text("<p>unclosed <b>bold <i>text</p></div></span><")


def test_markdown_front_matter_becomes_header():
    md = '---\ntitle: "Readout of a Call"\ndate: 2024-01-05\nurl: x\n---\n# Heading\n\nSome **bold** [link](http://x) text.\n'
    text = ingest.markdown_to_text(md)
    assert text.startswith("Readout of a Call\n\n2024-01-05")
    assert "Some bold link text." in text


def test_discover_recurses_skips_unsupported_and_reports_missing(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / "two.HTML").write_text("x")
    (tmp_path / "a" / "image.png").write_bytes(b"x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    found, problems = ingest.discover([tmp_path / "a", tmp_path / "missing"])
    assert sorted(f.path.name for f in found) == ["one.txt", "two.HTML"]
    assert problems == [(str(tmp_path / "missing"), "no such file or folder")]


def test_meeting_id_is_stable_per_path(tmp_path):
    a = ingest.meeting_id_for(tmp_path / "x.txt")
    assert a == ingest.meeting_id_for(tmp_path / "x.txt")
    assert a != ingest.meeting_id_for(tmp_path / "y.txt")
    assert len(a) == 16


@given(st.binary(max_size=2000))
def test_decode_never_raises_anything_but_unreadable(data):
    try:
        decoded = ingest.decode(data)
    except UnreadableFile:
        return
    assert isinstance(decoded.text, str)
