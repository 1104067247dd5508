"""Entity extraction: per-seed expectations, alias resolution, offsets over the corpus, money, dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.entities import (
    EntityMention,
    EntityTables,
    ReferencedEvent,
    _extract,
    entity_tables,
    extract_entities,
)
from index.events import find_dates
from index.gazetteer import default_gazetteer
from index.models import ParsedReadout, Participant
from index.readout import parse_readout


def _seed(sample_dir: Path, prefix: str) -> ParsedReadout:
    path = next(sample_dir.glob(f"{prefix}_*.txt"))
    return parse_readout(path.read_text(encoding="utf-8"))


def _run(parsed: ParsedReadout):
    return extract_entities(parsed.text, parsed)


def _has(mentions, kind: str, text: str, canonical: str) -> EntityMention:
    for m in mentions:
        if m.kind == kind and m.text == text and m.canonical == canonical:
            return m
    found = sorted({(m.kind, m.text, m.canonical) for m in mentions if m.kind == kind})
    raise AssertionError(f"no {kind} {text!r} -> {canonical!r}; have {found}")


def _canonicals(mentions, kind: str) -> set[str]:
    return {m.canonical for m in mentions if m.kind == kind}


def _check_invariants(text: str, mentions) -> None:
    last_end = 0
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.start >= last_end, f"overlap at {m}"
        assert m.end > m.start
        last_end = m.end


# --------------------------------------------------------------------------- seeds
def test_seed_000_kamikawa_son(sample_dir):
    p = _seed(sample_dir, "000")
    mentions, events = _run(p)
    _check_invariants(p.text, mentions)
    m = _has(mentions, "person", "KAMIKAWA Yoko", "Kamikawa Yoko")
    assert p.text[m.start : m.end] == "KAMIKAWA Yoko"
    assert p.text.index("KAMIKAWA Yoko") == m.start
    _has(mentions, "person", "Bui Thanh Son", "Bui Thanh Son")
    _has(mentions, "person", "Minister Son", "Bui Thanh Son")
    _has(mentions, "person", "Minister Kamikawa", "Kamikawa Yoko")
    _has(mentions, "country", "Viet Nam", "Viet Nam")
    _has(mentions, "country", "Japanese", "Japan")
    _has(mentions, "country", "Russia", "Russia")
    _has(mentions, "country", "Ukraine", "Ukraine")
    _has(mentions, "country", "Israel", "Israel")
    _has(mentions, "country", "North Korea", "North Korea")
    _has(mentions, "place", "Hanoi", "Hanoi")
    _has(mentions, "place", "Cam Ranh Port", "Cam Ranh Port")
    _has(mentions, "organization", "ASEAN", "ASEAN")
    _has(mentions, "organization", "Maritime Self-Defense Force", "Japan Maritime Self-Defense Force")
    _has(mentions, "initiative", "Extensive Strategic Partnership", "Extensive Strategic Partnership")
    _has(mentions, "initiative", "Free and Open Indo-Pacific", "Free and Open Indo-Pacific")
    _has(mentions, "initiative", "WPS", "Women, Peace and Security")
    _has(mentions, "initiative", "Women, Peace and Security", "Women, Peace and Security")
    _has(mentions, "initiative", "ODA", "Official Development Assistance")
    _has(mentions, "initiative", "OSA", "Official Security Assistance")
    _has(mentions, "initiative", "CPTPP", "CPTPP")
    _has(mentions, "agreement", "Charter of the United Nations", "Charter of the United Nations")
    # Relative dates against the meeting date 2023-10-10.
    by_canonical = {(e.canonical, e.date, e.date_precision) for e in events}
    assert ("Official Security Assistance", dt.date(2023, 4, 1), "month") in by_canonical
    assert ("National Security Strategy", dt.date(2022, 12, 1), "month") in by_canonical
    assert ("Establishment of diplomatic relations", dt.date(1973, 1, 1), "year") in by_canonical
    _has(mentions, "event", "this April", "Official Security Assistance")
    _has(mentions, "event", "December last year", "National Security Strategy")


def test_seed_001_kishida_trong(sample_dir):
    p = _seed(sample_dir, "001")
    mentions, _events = _run(p)
    _check_invariants(p.text, mentions)
    _has(mentions, "person", "KISHIDA Fumio", "Kishida Fumio")
    _has(mentions, "person", "Prime Minister Kishida", "Kishida Fumio")
    _has(mentions, "person", "General Secretary Nguyen Phu Trong", "Nguyen Phu Trong")
    _has(
        mentions,
        "organization",
        "Central Committee of the Communist Party of Viet Nam",
        "Central Committee of the Communist Party of Viet Nam",
    )
    _has(mentions, "initiative", "GX", "Green Transformation")
    _has(mentions, "initiative", "Green Transformation", "Green Transformation")
    _has(mentions, "initiative", "DX", "Digital Transformation")
    _has(mentions, "country", "Vietnamese", "Viet Nam")
    _has(mentions, "country", "Vietnam", "Viet Nam")


def test_seed_002_motegi_minh_money(sample_dir):
    p = _seed(sample_dir, "002")
    mentions, _events = _run(p)
    _check_invariants(p.text, mentions)
    _has(mentions, "person", "MOTEGI Toshimitsu", "Motegi Toshimitsu")
    _has(mentions, "person", "Deputy Prime Minister Minh", "Pham Binh Minh")
    _has(mentions, "person", "Minister Motegi", "Motegi Toshimitsu")
    _has(mentions, "initiative", "Extensive Strategic Partnership", "Extensive Strategic Partnership")
    _has(mentions, "initiative", "Extended Strategic Partnership", "Extensive Strategic Partnership")
    _has(mentions, "initiative", "free and open Indo-Pacific", "Free and Open Indo-Pacific")
    _has(mentions, "initiative", "ASEAN Outlook on the Indo-Pacific", "ASEAN Outlook on the Indo-Pacific")
    _has(
        mentions,
        "initiative",
        "Regional Comprehensive Economic Partnership",
        "Regional Comprehensive Economic Partnership",
    )
    _has(mentions, "initiative", "TPP11 Agreement", "CPTPP")
    _has(mentions, "organization", "UN Security Council", "UN Security Council")
    _has(mentions, "organization", "UN", "United Nations")
    _has(mentions, "place", "Ha Long City", "Ha Long City")
    _has(mentions, "place", "South China Sea", "South China Sea")
    _has(mentions, "place", "New York", "New York")
    _has(mentions, "agreement", "Exchange of Notes", "Exchange of Notes")
    money = [m for m in mentions if m.kind == "money"]
    assert [(m.text, m.amount, m.currency) for m in money] == [
        ("11.891 billion yen", 11891000000.0, "JPY"),
        ("300 million yen", 300000000.0, "JPY"),
    ]
    start = p.text.index("11.891 billion yen")
    assert (money[0].start, money[0].end) == (start, start + len("11.891 billion yen"))


def test_seed_003_thuong_visit(sample_dir):
    p = _seed(sample_dir, "003")
    mentions, events = _run(p)
    _check_invariants(p.text, mentions)
    _has(mentions, "person", "President Vo Van Thuong", "Vo Van Thuong")
    _has(mentions, "person", "President Thuong", "Vo Van Thuong")
    _has(mentions, "person", "Prime Minister Kishida Fumio", "Kishida Fumio")
    _has(mentions, "person", "Prime Minister Kishida", "Kishida Fumio")
    _has(mentions, "person", "Yamada Takio", "Yamada Takio")
    _has(mentions, "place", "Fukuoka Prefecture", "Fukuoka Prefecture")
    _has(mentions, "organization", "METI", "METI")
    _has(mentions, "organization", "JAXA", "JAXA")
    _has(mentions, "organization", "Japan Aerospace Exploration Agency", "JAXA")
    _has(mentions, "organization", "ERIA", "ERIA")
    _has(mentions, "organization", "G7", "G7")
    _has(
        mentions,
        "organization",
        "Ministry of Industry and Trade of Vietnam",
        "Ministry of Industry and Trade of Viet Nam",
    )
    _has(mentions, "initiative", "ODA", "Official Development Assistance")
    _has(mentions, "initiative", "official development assistance", "Official Development Assistance")
    assert (
        "Comprehensive Strategic Partnership for Peace and Prosperity in Asia and the World"
        in _canonicals(mentions, "initiative")
    )
    _has(
        mentions,
        "agreement",
        "Memorandum on Bilateral Defense Cooperation and Exchanges",
        "Memorandum on Bilateral Defense Cooperation and Exchanges",
    )
    money = {(m.text, m.amount, m.currency) for m in mentions if m.kind == "money"}
    assert ("US$50 billion", 50e9, "USD") in money
    assert ("US$24.2 billion", 24.2e9, "USD") in money
    got = {(e.canonical, e.date.isoformat(), e.date_precision) for e in events}
    assert ("Establishment of diplomatic relations", "1973-09-21", "day") in got
    assert ("Extensive Strategic Partnership", "2014-01-01", "year") in got
    assert ("Joint Vision Statement on Japan-Vietnam Defense Cooperation", "2018-04-01", "month") in got
    assert ("Memorandum on Bilateral Defense Cooperation and Exchanges", "2011-10-01", "month") in got
    # "early next year" against the meeting date 2023-11-27
    assert ("Japan-Vietnam Joint Initiative", "2024-01-01", "year") in got
    ev = next(e for e in events if e.date == dt.date(2018, 4, 1))
    assert p.text[ev.start : ev.end] == ev.text
    assert ev.to_json() == {
        "date": "2018-04-01",
        "date_precision": "month",
        "text": ev.text,
        "canonical": "Joint Vision Statement on Japan-Vietnam Defense Cooperation",
        "start": ev.start,
        "end": ev.end,
    }
    _has(mentions, "event", "April 2018", "Joint Vision Statement on Japan-Vietnam Defense Cooperation")


def test_seed_004_kishi_giang(sample_dir):
    p = _seed(sample_dir, "004")
    mentions, events = _run(p)
    _check_invariants(p.text, mentions)
    _has(mentions, "person", "Minister KISHI", "Kishi Nobuo")
    _has(mentions, "person", "Minister Kishi", "Kishi Nobuo")
    _has(mentions, "person", "Minister Giang", "Phan Van Giang")
    _has(mentions, "organization", "Ministry of Defense Japan", "Ministry of Defense of Japan")
    _has(mentions, "place", "East China Sea", "East China Sea")
    _has(mentions, "place", "Nha Trang", "Nha Trang")
    _has(mentions, "organization", "Japan Ground Self-Defense Force", "Japan Ground Self-Defense Force")
    _has(mentions, "organization", "UNSC", "UN Security Council")
    _has(mentions, "initiative", "AOIP", "ASEAN Outlook on the Indo-Pacific")
    _has(mentions, "initiative", "FOIP", "Free and Open Indo-Pacific")
    _has(mentions, "agreement", "UNCLOS", "UNCLOS")
    _has(
        mentions,
        "agreement",
        "Japan-Vietnam Defense Equipment and Technology Transfer Agreement",
        "Japan-Vietnam Defense Equipment and Technology Transfer Agreement",
    )
    memoranda = [m for m in mentions if m.kind == "agreement" and m.text.startswith("Memorandum between")]
    assert memoranda and memoranda[0].text.endswith("on Cybersecurity Cooperation")
    got = {(e.canonical, e.date.isoformat(), e.date_precision) for e in events}
    assert ("Japan-Vietnam Defense Ministers' Meeting", "2021-09-01", "month") in got
    assert ("Japan-Vietnam Defense Equipment and Technology Transfer Agreement", "2021-09-01", "month") in got
    # The meeting's own date (November 23, 2021) is not a referenced event.
    assert all(e.date != dt.date(2021, 11, 23) for e in events)


# --------------------------------------------------------------------------- aliases
def test_alias_resolution_uses_participants_and_conventions():
    text = (
        "Foreign Minister Nguyen Van An met Ms. TANAKA Hanako, Minister for Foreign Affairs of Japan. "
        "Minister An welcomed Minister Tanaka. Tanaka said TANAKA would visit. Mr. An agreed."
    )
    parsed = ParsedReadout(
        title="t",
        text=text,
        participants=(
            Participant("TANAKA Hanako", "Tanaka Hanako", "Minister for Foreign Affairs", "Japan"),
            Participant("Nguyen Van An", "Nguyen Van An", "Foreign Minister", "Viet Nam"),
        ),
    )
    mentions, _ = extract_entities(text, parsed)
    _check_invariants(text, mentions)
    people = [(m.text, m.canonical) for m in mentions if m.kind == "person"]
    assert ("Minister An", "Nguyen Van An") in people  # Vietnamese: last element
    assert ("Minister Tanaka", "Tanaka Hanako") in people  # Japanese: family name
    assert ("TANAKA Hanako", "Tanaka Hanako") in people
    assert ("Tanaka", "Tanaka Hanako") in people
    assert ("TANAKA", "Tanaka Hanako") in people
    assert ("An", "Nguyen Van An") in people


def test_us_readout_titles_resolve_through_gazetteer():
    text = (
        "Secretary Blinken met Foreign Minister Wang Yi. President Biden spoke with Prime Minister Kishida. "
        "Secretary Blinken and Minister Wang discussed the Taiwan Strait and the U.S.-Japan Alliance."
    )
    mentions, _ = extract_entities(text)
    _check_invariants(text, mentions)
    people = {(m.text, m.canonical) for m in mentions if m.kind == "person"}
    assert ("Secretary Blinken", "Antony J. Blinken") in people
    assert ("Foreign Minister Wang Yi", "Wang Yi") in people
    assert ("Minister Wang", "Wang Yi") in people  # resolved from the full name earlier in the text
    assert ("President Biden", "Joseph R. Biden Jr.") in people
    assert ("Prime Minister Kishida", "Kishida Fumio") in people
    _has(mentions, "place", "Taiwan Strait", "Taiwan Strait")
    _has(mentions, "initiative", "U.S.-Japan Alliance", "U.S.-Japan Alliance")


def test_unknown_titled_name_keeps_written_form():
    text = "Deputy Minister Hoang Dao Cuong met Ambassador Smith."
    mentions, _ = extract_entities(text)
    people = {(m.text, m.canonical) for m in mentions if m.kind == "person"}
    assert ("Deputy Minister Hoang Dao Cuong", "Hoang Dao Cuong") in people
    assert ("Ambassador Smith", "Smith") in people


# --------------------------------------------------------------------------- money
@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("11.891 billion yen", 11891000000.0, "JPY"),
        ("300 million yen", 300000000.0, "JPY"),
        ("US$50 billion", 50000000000.0, "USD"),
        ("US$24.2 billion", 24200000000.0, "USD"),
        ("$1.5 million", 1500000.0, "USD"),
        ("$3,000,000", 3000000.0, "USD"),
        ("¥10 billion", 10000000000.0, "JPY"),
        ("VND 2 trillion", 2e12, "VND"),
        ("5 million euros", 5e6, "EUR"),
        ("A$100 million", 1e8, "AUD"),
    ],
)
def test_money_normalisation(text, amount, currency):
    sentence = f"They pledged {text} in total."
    mentions, _ = extract_entities(sentence)
    money = [m for m in mentions if m.kind == "money"]
    assert len(money) == 1
    assert money[0].text == text
    assert money[0].amount == pytest.approx(amount)
    assert money[0].currency == currency
    assert money[0].to_json()["amount"] == money[0].amount


def test_numbers_without_currency_are_not_money():
    mentions, _ = extract_entities("The community totals 520,000 people and 22,000 nationals in 2023.")
    assert not [m for m in mentions if m.kind == "money"]


# --------------------------------------------------------------------------- dates
def test_relative_dates_resolve_against_reference():
    ref = dt.date(2023, 10, 10)
    text = (
        "decided in December last year, established this April, launched early next year, in June this year"
    )
    got = [(text[d.start : d.end], d.date, d.precision) for d in find_dates(text, ref)]
    assert ("December last year", dt.date(2022, 12, 1), "month") in got
    assert ("this April", dt.date(2023, 4, 1), "month") in got
    assert ("early next year", dt.date(2024, 1, 1), "year") in got
    assert ("June this year", dt.date(2023, 6, 1), "month") in got
    assert find_dates("established this April", None) == []


def test_absolute_dates():
    text = "since September 21, 1973; in April 2018; on 24 May 2022; in 2014; in 2024-2029"
    got = [(text[d.start : d.end], d.date, d.precision) for d in find_dates(text, None)]
    assert got == [
        ("September 21, 1973", dt.date(1973, 9, 21), "day"),
        ("April 2018", dt.date(2018, 4, 1), "month"),
        ("24 May 2022", dt.date(2022, 5, 24), "day"),
        ("2014", dt.date(2014, 1, 1), "year"),
    ]


def test_events_need_an_anchor_and_skip_the_meeting_date():
    text = "On May 10, 2023, the ministers met. Trade reached $5 billion in 2022."
    parsed = ParsedReadout(title="t", text=text, meeting_date=dt.date(2023, 5, 10))
    mentions, events = extract_entities(text, parsed)
    assert events == ()
    assert not [m for m in mentions if m.kind == "event"]


# --------------------------------------------------------------------------- data + overlay
def test_json_shapes_and_overlay(tmp_path):
    mention = EntityMention("organization", "ASEAN", "ASEAN", 0, 5)
    assert mention.to_json() == {
        "kind": "organization",
        "text": "ASEAN",
        "canonical": "ASEAN",
        "start": 0,
        "end": 5,
    }
    ev = ReferencedEvent(dt.date(2014, 1, 1), "year", "x in 2014", "X", 0, 9)
    assert ev.to_json()["date"] == "2014-01-01"

    overlay = tmp_path / "overlay.json"
    overlay.write_text(
        json.dumps(
            {
                "entities": [
                    {"canonical": "Mekong-Japan Cooperation", "kind": "initiative", "variants": ["MJC"]}
                ]
            }
        ),
        encoding="utf-8",
    )
    tables = EntityTables.load(default_gazetteer(), overlay)
    mentions, _ = extract_entities("They praised MJC and ASEAN.", tables=tables)
    assert {(m.text, m.canonical) for m in mentions} >= {
        ("MJC", "Mekong-Japan Cooperation"),
        ("ASEAN", "ASEAN"),
    }


def test_malformed_overlay_keeps_defaults(tmp_path):
    overlay = tmp_path / "overlay.json"
    overlay.write_text('{"entities": [{"kind": "initiative"}]}', encoding="utf-8")
    tables = EntityTables.load(default_gazetteer(), overlay)
    assert tables.warnings and "malformed" in tables.warnings[0]
    mentions, _ = extract_entities("ASEAN met.", tables=tables)
    assert [m.canonical for m in mentions] == ["ASEAN"]


def test_bundled_entity_files_are_valid():
    tables = entity_tables()
    assert tables.warnings == []
    kinds = {e.kind for e in tables.entries}
    assert {"organization", "initiative", "agreement", "place"} <= kinds


# --------------------------------------------------------------------------- properties
def test_offsets_hold_on_every_corpus_and_seed_readout(corpus_dir, sample_dir):
    files = sorted(corpus_dir.glob("*.txt")) + sorted(sample_dir.glob("*.txt"))
    assert len(files) >= 160
    total = 0
    for path in files:
        parsed = parse_readout(path.read_text(encoding="utf-8", errors="replace"))
        mentions, events = extract_entities(parsed.text, parsed)
        _check_invariants(parsed.text, mentions)
        assert all(
            m.kind
            in {"person", "country", "place", "organization", "initiative", "agreement", "money", "event"}
            for m in mentions
        )
        for e in events:
            assert parsed.text[e.start : e.end] == e.text
            assert e.date_precision in ("day", "month", "year")
        total += len(mentions)
    assert total > 3000


_WORDS = st.sampled_from(
    [
        "Minister",
        "Son",
        "KISHI",
        "Prime",
        "Japan",
        "Viet",
        "Nam",
        "US$",
        "$",
        "1.5",
        "billion",
        "yen",
        "in",
        "April",
        "2018",
        "this",
        "last",
        "year",
        "Memorandum",
        "on",
        "Agreement",
        "Ministry",
        "of",
        "the",
        "and",
        "’s",
        "-",
        "(",
        ")",
        ",",
        ".",
        "\n",
        "Ha",
        "Long",
        "City",
        "ASEAN",
        "Free",
        "Open",
        "Indo-Pacific",
        "50th",
        "anniversary",
        "diplomatic",
        "relations",
        "Mr.",
        "Dr.",
        "Jr.",
        "von",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.lists(_WORDS, max_size=60).map(" ".join)))
def test_random_text_never_crashes_and_offsets_hold(text):
    parsed = ParsedReadout(title="t", text=text, meeting_date=dt.date(2023, 10, 10))
    if not text:
        return
    # The private worker, so that a crash is not hidden by extract_entities' safety net.
    mentions, events = _extract(text, parsed, entity_tables())
    _check_invariants(text, mentions)
    for e in events:
        assert text[e.start : e.end] == e.text


def test_empty_and_non_string_input():
    assert extract_entities("") == ((), ())
    assert extract_entities(None) == ((), ())  # type: ignore[arg-type]


def test_a_short_reference_written_with_another_apostrophe_finds_its_person():
    """The pattern of family names matches ’ for ' (and other dashes and spaces); a name the
    roster cannot resolve (two people share it) falls back to the first of them, as written in
    the key's own spelling: it was looked up as written, a KeyError that lost the readout."""
    from types import SimpleNamespace

    from index.entities import _short_references

    tables = entity_tables()
    known = SimpleNamespace(primary="o'neill", canonical="Sean O'Neill")
    roster = SimpleNamespace(local={"a": known}, resolve=lambda name: None)
    text = "O’neill thanked the Secretary. O'neill also spoke. O’NEILL left."
    found = _short_references(text, tables, roster, [])
    assert [(text[c.start : c.end], c.canonical) for c in found] == [
        ("O’neill", "Sean O'Neill"),
        ("O'neill", "Sean O'Neill"),
        ("O’NEILL", "Sean O'Neill"),
    ]
