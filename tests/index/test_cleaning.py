"""Cleaning: navigation lines, captions, repeated paragraphs."""

from __future__ import annotations

from index.cleaning import clean_readout, split_units
from index.paths import sample_archive_dir


def _seed(prefix: str) -> str:
    path = next(sample_archive_dir().glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


def test_seed_000_navigation_and_photo_captions() -> None:
    c = clean_readout(_seed("000"))
    assert c.section == "Japan-Viet Nam Relations"
    assert c.title is None
    assert c.date_lines == ["October 10, 2023"]
    assert c.captions == [
        "Japan-Viet Nam Foreign Ministers' Meeting",
        "Foreign Minister Kamikawa shakes hand with Vietnamese Foreign Minister Son",
        "Japan-Viet Nam Foreign Ministers' Working Lunch",
    ]
    assert "Back to Japan-Viet Nam Relations" not in c.text
    assert "(Photo)" not in c.text
    assert c.text.startswith("On October 10, commencing")
    assert "\n\n" in c.text


def test_seed_001_credit_captions() -> None:
    c = clean_readout(_seed("001"))
    assert "Japan-Viet Nam Summit Video Teleconference Meeting" in c.captions
    assert all("Cabinet Public Affairs Office" not in x for x in c.captions)
    assert "Photo" not in c.text


def test_seed_002_repeated_block_removed() -> None:
    c = clean_readout(_seed("002"))
    assert c.title == "Japan-Viet Nam Foreign Ministers’ Meeting and Working Lunch"
    assert c.duplicates_removed == 4
    assert c.text.count("Deputy Prime Minister Minh welcomed that the first official guest") == 1
    assert c.text.count("In addition, the two ministers exchanged views") == 1
    assert c.text.rstrip().endswith("held a joint press announcement.")


def test_seed_003_news_caption_and_byline() -> None:
    c = clean_readout(_seed("003"))
    assert c.captions == [
        "Vietnamese President Vo Van Thuong delivers a speech at the Japanese National Diet"
    ]
    assert "delivers a speech at the Japanese National Diet\n" not in c.text
    # Headings and caption-free prose stay in the body.
    assert "Advancing to the future and into the world together" in c.text
    assert "This visit to Japan by President Vo Van Thuong took place" in c.text
    assert not c.text.rstrip().endswith("Vietnam Business Forum")


def test_seed_004_press_release_header() -> None:
    c = clean_readout(_seed("004"))
    assert c.title == "Japan-Vietnam Defense Ministers’ Meeting"
    assert c.publisher == "Ministry of Defense Japan"
    assert "(Press Release)" not in c.text
    assert not c.text.startswith("Japan-Vietnam Defense Ministers")
    assert c.text.startswith("On November 23, 2021")


def test_end_marks_and_footer_lines_dropped() -> None:
    raw = "A Title\n\nJanuary 5, 2024\n\nThe President met the Prime Minister today in Tokyo and they talked.\n\n###\n\nBack to top"
    c = clean_readout(raw)
    assert c.text == "The President met the Prime Minister today in Tokyo and they talked."


def test_short_repeats_are_not_duplicates() -> None:
    raw = "T\n\nJanuary 5, 2024\n\nOverview\n\nThe ministers met today and discussed many things at length.\n\nOverview"
    assert clean_readout(raw).duplicates_removed == 0


def test_hard_wrapped_block_is_joined() -> None:
    block = (
        "The two ministers exchanged views on regional affairs and agreed to continue\n"
        "working closely together on a wide range of issues affecting the region and\n"
        "the world, including maritime security and economic cooperation between them.\n"
    )
    assert split_units(block) == [[" ".join(block.split())]]


def test_empty_input() -> None:
    c = clean_readout("")
    assert c.text == "" and c.warnings


def _one_by_one(line: str, gz) -> bool:
    from index.cleaning import _pats

    stripped = line.strip(" \t|>»›·-–—:").strip()
    return not stripped or any(p.match(stripped) for p in _pats(gz)["navigation"])


def test_joined_navigation_patterns_answer_as_the_patterns_one_by_one(corpus_dir) -> None:
    from index.cleaning import _navigation, is_navigation
    from index.gazetteer import default_gazetteer

    gz = default_gazetteer()
    assert _navigation(gz) is not None
    lines = ["", " | ", "Back to Japan-Viet Nam Relations", "Share this page:", "Tweet | Email", "© 2023"]
    lines += ["(Photo) The leaders", "Photo: VNA", "Top of page", "homeland security", "Home > News"]
    for path in sorted(corpus_dir.rglob("*.txt"))[:60]:
        lines.extend(path.read_text(encoding="utf-8", errors="replace").splitlines())
    for line in lines:
        assert is_navigation(line, gz) == _one_by_one(line, gz), line


def test_line_patterns_with_group_references_are_tried_one_by_one() -> None:
    from index.cleaning import _navigation, _whole_line_any_of, is_navigation
    from index.gazetteer import Gazetteer

    assert _whole_line_any_of([r"(\w+) \1", "menu"]) is None  # \1 would point elsewhere
    assert _whole_line_any_of(["(?i)menu", "top"]) is None  # global flags must come first
    gz = Gazetteer(cleaning={"navigation": ["top", r"(\w+) \1"]})
    assert _navigation(gz) is None
    assert is_navigation("again again", gz)
    assert is_navigation("Top", gz)
    assert not is_navigation("again and again", gz)
