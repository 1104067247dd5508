"""Extraction: every seed's metadata, hand-checked corpus readouts, rules, and robustness."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import extract as ex
from index.gazetteer import default_gazetteer
from index.models import Location, ParsedReadout
from index.paths import sample_archive_dir
from index.readout import parse_readout

D = dt.date
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "readouts"


def _seed(prefix: str) -> ParsedReadout:
    path = next(sample_archive_dir().glob(f"{prefix}_*.txt"))
    return parse_readout(path.read_text(encoding="utf-8"))


def _corpus(prefix: str) -> ParsedReadout:
    matches = sorted(CORPUS.glob(f"{prefix}_*.txt")) if CORPUS.is_dir() else []
    if not matches:
        pytest.skip("shared corpus not available")
    return parse_readout(matches[0].read_text(encoding="utf-8"))


def _people(r: ParsedReadout) -> dict[str, str | None]:
    return {p.canonical: p.country for p in r.participants}


# --------------------------------------------------------------------------- seeds
def test_seed_000_foreign_ministers_meeting_in_hanoi() -> None:
    r = _seed("000")
    assert r.title == "Japan-Viet Nam Foreign Ministers' Meeting"
    assert (r.publication_date, r.meeting_date, r.meeting_date_end) == (
        D(2023, 10, 10),
        D(2023, 10, 10),
        None,
    )
    assert (r.meeting_type, r.format, r.duration_minutes) == ("foreign_ministers", "in_person", 150)
    assert r.location == Location("Hanoi", "Viet Nam")
    kamikawa, son = r.participants
    assert (kamikawa.name, kamikawa.canonical) == ("KAMIKAWA Yoko", "Kamikawa Yoko")
    assert (kamikawa.role, kamikawa.country) == ("Minister for Foreign Affairs", "Japan")
    assert (son.canonical, son.country) == ("Bui Thanh Son", "Viet Nam")
    assert r.countries == ("Japan", "Viet Nam")
    assert len(r.captions) == 3


def test_seed_001_summit_video_conference() -> None:
    r = _seed("001")
    assert r.meeting_date == D(2023, 2, 9)
    assert (r.meeting_type, r.format, r.duration_minutes, r.location) == ("summit", "video", 30, None)
    assert _people(r) == {"Kishida Fumio": "Japan", "Nguyen Phu Trong": "Viet Nam"}
    assert "Video Teleconference" in r.title


def test_seed_002_weekday_date_and_duplicates() -> None:
    r = _seed("002")
    assert r.title == "Japan-Viet Nam Foreign Ministers’ Meeting and Working Lunch"
    assert r.meeting_date == D(2020, 1, 6)
    assert (r.meeting_type, r.format, r.duration_minutes) == ("foreign_ministers", "in_person", 60)
    assert r.location == Location("Hanoi", "Viet Nam")
    assert _people(r) == {"Motegi Toshimitsu": "Japan", "Pham Binh Minh": "Viet Nam"}
    assert r.duplicates_removed == 4


def test_seed_003_news_article_state_visit() -> None:
    r = _seed("003")
    assert r.publication_date == D(2023, 12, 7)
    assert (r.meeting_date, r.meeting_date_end) == (D(2023, 11, 27), D(2023, 11, 30))
    assert (r.meeting_type, r.format) == ("summit", "in_person")
    assert r.location == Location(None, "Japan")
    assert _people(r) == {"Vo Van Thuong": "Viet Nam", "Kishida Fumio": "Japan"}
    assert r.captions == (
        "Vietnamese President Vo Van Thuong delivers a speech at the Japanese National Diet",
    )


def test_seed_004_defense_ministers_at_ministry() -> None:
    r = _seed("004")
    assert r.title == "Japan-Vietnam Defense Ministers’ Meeting"
    assert r.meeting_date == D(2021, 11, 23)
    assert (r.meeting_type, r.format, r.duration_minutes) == ("defense_ministers", "in_person", 110)
    assert r.location == Location("Tokyo", "Japan")
    people = _people(r)
    assert people["Phan Van Giang"] == "Viet Nam"
    assert any(name.startswith("Kishi") and country == "Japan" for name, country in people.items())


# --------------------------------------------------------------------------- corpus, checked by hand
def test_corpus_nsa_phone_call_today() -> None:
    r = _corpus("001")
    assert (r.format, r.location, r.meeting_type) == ("telephone", None, "senior_officials")
    assert r.meeting_date == r.publication_date == D(2021, 1, 27)
    assert _people(r) == {"Jake Sullivan": "United States", "Ajit Doval": "India"}


def test_corpus_weekday_with_explicit_date_after_publication() -> None:
    r = _corpus("134")  # published Dec 8 (US time) about "Saturday, December 9"
    assert r.meeting_date == D(2023, 12, 9)
    assert r.meeting_type == "senior_officials"
    assert set(r.countries) == {"United States", "Republic of Korea", "Japan"}


def test_corpus_multi_day_trip() -> None:
    r = _corpus("124")
    assert (r.meeting_date, r.meeting_date_end) == (D(2023, 9, 5), D(2023, 9, 7))
    assert r.participants[0].canonical == "Liz Sherwood-Randall"


def test_corpus_video_call() -> None:
    r = _corpus("026")
    assert (r.format, r.location) == ("video", None)
    assert r.meeting_date == D(2022, 1, 24)


def test_corpus_senior_officials_call() -> None:
    r = _corpus("033")
    assert (r.format, r.meeting_type) == ("telephone", "senior_officials")
    assert _people(r) == {"Wendy R. Sherman": "United States", "Mori Takeo": "Japan"}


def test_corpus_foreign_minister_meets_head_of_government() -> None:
    r = _corpus("082")
    assert (r.meeting_type, r.format) == ("foreign_ministers", "in_person")
    assert r.location == Location("Tokyo", "Japan")


def test_corpus_white_house_meeting() -> None:
    r = _corpus("141")
    assert r.location == Location("Washington", "United States")
    assert r.meeting_type == "summit"


def test_corpus_meeting_range_in_body() -> None:
    r = _corpus("147")
    assert (r.meeting_date, r.meeting_date_end) == (D(2024, 8, 27), D(2024, 8, 28))
    assert _people(r)["Wang Yi"] == "China"


# --------------------------------------------------------------------------- rules
PUB = D(2023, 12, 7)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The President spoke today with the Prime Minister.", (PUB, None)),
        ("They met yesterday.", (D(2023, 12, 6), None)),
        ("They met on Monday in Tokyo.", (D(2023, 12, 4), None)),
        ("They met on Thursday.", (PUB, None)),
        ("On November 15, the ministers met.", (D(2023, 11, 15), None)),
        ("On December 20, the ministers met.", (D(2022, 12, 20), None)),
        ("a visit from November 27-30, 2023", (D(2023, 11, 27), D(2023, 11, 30))),
        ("talks on May 10-11", (D(2023, 5, 10), D(2023, 5, 11))),
        ("met in Carbis Bay on 12 June 2021", (D(2021, 6, 12), None)),
        ("no date here", None),
    ],
)
def test_find_date(text: str, expected) -> None:
    assert ex.find_date(text, PUB) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["October 10, 2023"], D(2023, 10, 10)),
        (["12/7/2023"], D(2023, 12, 7)),
        (["11:28:16 AM | 12/7/2023"], D(2023, 12, 7)),
        (["25/12/2023"], D(2023, 12, 25)),
        (["2024-01-05"], D(2024, 1, 5)),
        (["nothing"], None),
    ],
)
def test_publication_date(lines, expected) -> None:
    assert ex.parse_publication_date(lines)[0] == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("for approximately 150 minutes", 150),
        ("for approximately 1 hour and 50 minutes", 110),
        ("for approximately 1 hour", 60),
        ("for about an hour and a half", 90),
        ("the talks lasted two hours", 120),
        ("a 45-minute call", 45),
        ("the 50th anniversary", None),
    ],
)
def test_duration(text: str, minutes: int | None) -> None:
    assert ex.find_duration(text) == minutes


@pytest.mark.parametrize(
    ("title", "lead", "expected"),
    [
        ("", "The Secretary spoke by phone today with the Minister.", "telephone"),
        ("", "The President held a video call with leaders.", "video"),
        ("", "The leaders met virtually.", "video"),
        ("", "The Minister paid a courtesy call on the Prime Minister.", "in_person"),
        ("Readout of the President's Call with X", "They discussed trade.", "telephone"),
        ("", "The two ministers held a meeting and working lunch.", "in_person"),
        ("", "The United States remains committed.", None),
    ],
)
def test_format(title: str, lead: str, expected: str | None) -> None:
    assert ex.detect_format(title, lead) == expected


def test_location_rules() -> None:
    gz = default_gazetteer()
    assert ex.find_location(["who is visiting Hanoi, Viet Nam, held a meeting"], gz) == Location(
        "Hanoi", "Viet Nam"
    )
    assert ex.find_location(["met today at the White House with"], gz) == Location(
        "Washington", "United States"
    )
    assert ex.find_location(["met in Vienna"], gz) == Location("Vienna", "Austria")
    assert ex.find_location(["met in Woodside, California"], gz) == Location("Woodside", "United States")
    assert ex.find_location(["discussed the Indo-Pacific"], gz) is None


def test_passing_mentions_are_not_participants() -> None:
    raw = (
        "Readout of National Security Advisor Jake Sullivan's Call with Secretary General Akiba Takeo of Japan\n\n"
        "January 20, 2022\n\n"
        "National Security Advisor Jake Sullivan spoke today with Akiba Takeo, Secretary General of Japan's "
        "National Security Secretariat, to prepare for the President's meeting on January 21 with Prime "
        "Minister Kishida. Mr. Sullivan reaffirmed President Biden's commitment to the alliance."
    )
    r = parse_readout(raw)
    assert [p.canonical for p in r.participants] == ["Jake Sullivan", "Akiba Takeo"]
    assert r.meeting_date == D(2022, 1, 20)


def test_honorifics_and_apposition() -> None:
    r = parse_readout(
        "Title line\n\nMay 2, 2022\n\nOn May 2, H.E. Mr. Bui Thanh Son, Minister of Foreign Affairs of the "
        "Socialist Republic of Viet Nam, held a telephone talk with Dr. Jane Roe, Minister for Foreign Affairs "
        "of Freedonia-Land."
    )
    son = r.participants[0]
    assert (son.name, son.role, son.country) == ("Bui Thanh Son", "Minister of Foreign Affairs", "Viet Nam")
    assert r.format == "telephone" and r.location is None


@pytest.mark.parametrize("raw", ["", "one line", "\x00\x01\x02 garbage \ufffd\ufffd", "\n\n\n", "###"])
def test_odd_input_never_raises(raw: str) -> None:
    r = parse_readout(raw)
    assert isinstance(r, ParsedReadout)
    assert r.title


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parse_readout_never_raises(raw: str) -> None:
    r = parse_readout(raw)
    assert isinstance(r.title, str) and r.title
    assert r.meeting_type in (
        None,
        "summit",
        "foreign_ministers",
        "defense_ministers",
        "ministerial",
        "senior_officials",
        "other",
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Readout of President Biden’s Call with Prime Minister Kishida of Japan",
                "January 5, 2024",
                "12/7/2023",
                "(Photo) Meeting",
                "Back to top",
                "###",
                "On Monday, January 6, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan, met H.E. Mr. X",
                "President Biden spoke today with Prime Minister Kishida for 1 hour and 50 minutes in Tokyo, Japan.",
                "from November 27-30, 2023",
                "",
            ]
        ),
        max_size=12,
    )
)
def test_parse_readout_never_raises_on_readout_like_text(lines: list[str]) -> None:
    assert parse_readout("\n".join(lines)).title


# --------------------------------------------------------------------------- regressions (hand-checked classes)
def test_vice_president_meeting_is_not_a_summit() -> None:
    # CONVENTIONS: summit needs heads of state/government on both sides; a VP is neither a head nor a
    # foreign/defence minister, minister or deputy minister/adviser/envoy, so the meeting is "other".
    r = _corpus("046")
    assert r.meeting_type == "other"
    assert _people(r) == {"Kamala Harris": "United States", "Lee Hsien Loong": "Singapore"}
    r = parse_readout(
        "Readout\n\nMarch 2, 2021\n\nVice President Kamala Harris spoke today with Prime Minister Scott Morrison "
        "of Australia. The Vice President and Prime Minister discussed cooperation."
    )
    assert (r.meeting_type, r.format) == ("other", "telephone")


@pytest.mark.parametrize(("prefix", "location"), [("024", None), ("063", None), ("134", None), ("009", None)])
def test_places_mentioned_in_passing_are_not_the_location(prefix: str, location) -> None:
    assert _corpus(prefix).location == location


def test_location_from_visit_and_delegation_sentences() -> None:
    assert _corpus("116").location == Location("New Delhi", "India")  # "visited New Delhi, India"
    assert _corpus("007").location == Location("Phnom Penh", "Cambodia")  # "led a delegation to Phnom Penh"
    gz = default_gazetteer()
    texts = ex.location_texts(
        "",
        ["The President met today with President Joko Widodo of Indonesia."],
        [
            "The President met today with President Joko Widodo of Indonesia. They expressed concern about the "
            "coup in Burma. Both meetings were held at the Pentagon, with sessions at the White House."
        ],
    )
    assert ex.find_location(texts, gz) == Location("Washington", "United States")


@pytest.mark.parametrize(
    ("title", "lead", "expected"),
    [
        (
            "Readout of the White House’s Meeting with Airline Leaders",
            "They held a virtual meeting with CEOs.",
            "video",
        ),
        (
            "Readout of the President’s Call with Allies",
            "The President hosted a videoconference today.",
            "video",
        ),
        (
            "",
            "The President met in the Oval Office with Senators, and Secretary Buttigieg joined virtually.",
            "in_person",
        ),
        ("Readout of Travel to India", "", "in_person"),
    ],
)
def test_video_wins_over_title_words(title: str, lead: str, expected: str) -> None:
    assert ex.detect_format(title, lead) == expected


def test_leaders_in_title_is_not_a_summit_unless_they_are_state_leaders() -> None:
    assert ex._type_from_title("Readout of the White House’s Meeting with Labor Leaders") is None
    assert ex._type_from_title("Readout of President Biden’s Video Call with European Leaders") == "summit"


def test_participant_names_and_countries() -> None:
    assert _people(_corpus("010")) == {  # "HMS Queen Elizabeth" is a ship, not a queen
        "Boris Johnson": "United Kingdom",
        "Joseph R. Biden Jr.": "United States",
        "Scott Morrison": "Australia",
    }
    assert (
        _people(_corpus("049"))["Liu Xiaoming"] == "China"
    )  # "the People’s Republic of China (PRC) Special ..."
    assert _people(_corpus("074")) == {"Wendy R. Sherman": "United States", "Thongphane Savanphet": "Laos"}
    assert "Yoon Suk Yeol" not in _people(_corpus("047"))  # "President-elect Yoon’s ... Delegation"
    # "Building on the President’s June 29 trilateral meeting with President Yoon ..." names no participant
    assert set(_people(_corpus("079"))) == {"Antony J. Blinken", "Hayashi Yoshimasa", "Park Jin"}
    r = parse_readout(
        "Secretary Blinken’s Call with Qatari Foreign Minister\n\nMay 27, 2021\n\nSecretary of State Antony J. "
        "Blinken spoke today with Qatari Deputy Prime Minister and Minister of Foreign Affairs Mohammed bin "
        "Abdulrahman Al-Thani. They discussed Gaza."
    )
    assert _people(r) == {"Antony J. Blinken": "United States", "Mohammed bin Abdulrahman Al-Thani": "Qatar"}


def test_unlabelled_officials_belong_to_the_publisher() -> None:
    r = parse_readout(
        "Readout of the White House’s Meeting with Automakers\n\nFebruary 24, 2021\n\nToday, Secretary of "
        "Transportation Pete Buttigieg, National Economic Council (NEC) Director Brian Deese, and National Climate "
        "Advisor Gina McCarthy met with more than a dozen automotive industry manufacturers to discuss priorities."
    )
    assert _people(r) == {
        "Pete Buttigieg": "United States",
        "Brian Deese": "United States",
        "Gina McCarthy": "United States",
    }
    r = parse_readout(
        "Readout of Homeland Security Advisor’s visit to Kosovo\n\nMarch 19, 2022\n\nDuring the visit, Dr. "
        "Sherwood-Randall met with Kosovo President Vjosa Osmani-Sadriu and Prime Minister Albin Kurti."
    )
    assert _people(r)["Albin Kurti"] == "Kosovo"


def test_sentence_split_after_acronym() -> None:
    assert ex.split_sentences("It marked the start of AUKUS. Both meetings were held at the Pentagon.") == [
        "It marked the start of AUKUS.",
        "Both meetings were held at the Pentagon.",
    ]
    assert len(ex.split_sentences("President Joseph R. Biden met U.S. officials.")) == 1


# --------------------------------------------------------------------------- foreign-ministry styles
def _parse(text: str) -> ParsedReadout:
    return parse_readout(text.strip() + "\n")


def _fields(r: ParsedReadout) -> tuple:
    loc = (r.location.city, r.location.country) if r.location else None
    return (r.meeting_date, r.meeting_type, r.format, r.duration_minutes, loc, r.countries)


def test_mofa_telephone_talk() -> None:
    r = _parse("""
Japan-Viet Nam Relations

Japan-Viet Nam Foreign Ministers' Telephone Talk

March 14, 2024

On March 14, commencing at 5:00 p.m. for approximately 25 minutes, Ms. KAMIKAWA Yoko, Minister for Foreign Affairs of Japan, held a telephone talk with H.E. Mr. Bui Thanh Son, Minister of Foreign Affairs of the Socialist Republic of Viet Nam. The overview of the talk is as follows.
""")
    assert _fields(r) == (D(2024, 3, 14), "foreign_ministers", "telephone", 25, None, ("Japan", "Viet Nam"))
    assert [p.canonical for p in r.participants] == ["Kamikawa Yoko", "Bui Thanh Son"]


def test_mofa_unlabelled_state_minister_is_japanese() -> None:
    r = _parse("""
Japan-Viet Nam Relations

Meeting between State Minister for Foreign Affairs Tsuge and Vice Minister of Foreign Affairs of Viet Nam

July 5, 2023

On July 5, commencing at 3:30 p.m. for approximately 30 minutes, Mr. TSUGE Yoshifumi, State Minister for Foreign Affairs, held a meeting with H.E. Mr. Do Hung Viet, Vice Minister of Foreign Affairs of the Socialist Republic of Viet Nam, who is visiting Japan. The overview of the meeting is as follows.
""")
    assert _people(r) == {"Tsuge Yoshifumi": "Japan", "Do Hung Viet": "Viet Nam"}
    assert r.meeting_type == "senior_officials"


def test_defence_video_teleconference_drops_hon_and_mp() -> None:
    r = _parse("""
Japan-Australia Defence Ministers' Video Teleconference

(Press Release)

September 8, 2021
Ministry of Defense Japan

On September 8, 2021, commencing from 1600 for approximately 45 minutes, Minister KISHI held a video teleconference with the Hon Peter Dutton MP, Minister for Defence of Australia.
""")
    assert _fields(r) == (D(2021, 9, 8), "defense_ministers", "video", 45, None, ("Japan", "Australia"))
    assert [p.name for p in r.participants][1] == "Peter Dutton"


def test_vietnamese_portal_ambassador_and_day_first_date() -> None:
    r = _parse("""
Prime Minister Pham Minh Chinh receives Japanese Ambassador

11:05 | 21/02/2024

Hanoi (VGP) - Prime Minister Pham Minh Chinh received Japanese Ambassador to Viet Nam Yamada Takio in Ha Noi on February 21.

Prime Minister Pham Minh Chinh highly appreciated the Ambassador's contributions to the bilateral relationship.
""")
    assert _people(r) == {"Pham Minh Chinh": "Viet Nam", "Yamada Takio": "Japan"}
    assert r.meeting_type == "senior_officials"
    assert r.location is not None and r.location.country == "Viet Nam"


def test_vietnamese_talks_counterpart_and_attendees() -> None:
    r = _parse("""
Vietnamese, Lao Prime Ministers hold talks in Vientiane

15:20 | 08/01/2024

VGP - Prime Minister Pham Minh Chinh and his Lao counterpart Sonexay Siphandone held talks in Vientiane on January 8 as part of the former's official visit to Laos.

Attending the talks were Deputy Prime Minister Tran Hong Ha and Minister of Foreign Affairs Bui Thanh Son.
""")
    assert r.publication_date == D(2024, 1, 8)  # day-first, fits the talks "on January 8"
    assert r.meeting_type == "summit"
    assert _people(r) == {
        "Pham Minh Chinh": "Viet Nam",
        "Sonexay Siphandone": "Laos",
        "Tran Hong Ha": "Viet Nam",
        "Bui Thanh Son": "Viet Nam",
    }


# --------------------------------------------------------------------------- sides and meeting type
def test_adviser_to_a_foreign_leader_takes_that_country() -> None:
    r = _parse("""
Readout of National Security Advisor Jake Sullivan’s Meeting with Tomas Pojar, National Security Advisor to the Prime Minister of the Czech Republic

October 14, 2022

National Security Advisor Jake Sullivan met today with Tomas Pojar, National Security Advisor to the Prime Minister of the Czech Republic. They discussed energy security.
""")
    assert _people(r)["Tomas Pojar"] == "Czech Republic"


def test_officials_met_abroad_belong_to_the_host_side() -> None:
    r = _parse("""
Readout of Senior Administration Travel to India

April 1, 2022

This week, Deputy National Security Advisor Daleep Singh was in New Delhi to discuss ways to deepen U.S.-India economic cooperation. Singh met with Principal Secretary P.K. Mishra, Foreign Secretary Harsh V. Shringla, Deputy National Security Advisor Vikram Misri of India, and Department of Economic Affairs Secretary Ajay Seth.
""")
    people = _people(r)
    assert people["Daleep Singh"] == "United States"
    assert {people[n] for n in ("P.K. Mishra", "Harsh V. Shringla", "Vikram Misri", "Ajay Seth")} == {"India"}
    assert r.location == Location("New Delhi", "India")


def test_delegation_members_listed_with_their_leader() -> None:
    r = _corpus("072")
    people = _people(r)
    assert people["Jose Manuel Romualdez"] == "Philippines"
    assert people["Vic Rodriguez"] == "Philippines"


def test_international_officials_get_no_country() -> None:
    r = _parse("""
Deputy Secretary McKeon’s Meeting with United Nations High Commissioner for Refugees Grandi

April 11, 2022

Deputy Secretary of State for Management and Resources Brian McKeon met today with United Nations High Commissioner for Refugees (UNHCR) Filippo Grandi in Washington.
""")
    assert _people(r) == {"Brian McKeon": "United States", "Filippo Grandi": None}


def test_single_side_domestic_meeting_is_other() -> None:
    r = _parse("""
Readout of President Joe Biden’s Call with Governor Ron DeSantis

September 29, 2022

Today, President Biden spoke with Florida Governor Ron DeSantis about Hurricane Ian.
""")
    assert r.meeting_type == "other"
    statement = _parse("""
Statement by President Joe Biden on Hurricane Ian

September 29, 2022

Today I spoke with Governor Ron DeSantis about the damage from Hurricane Ian.
""")
    assert statement.meeting_type is None


def test_numbered_office_is_part_of_the_role() -> None:
    r = _corpus("055")
    assert [(p.name, p.role) for p in r.participants][1] == ("Erywan Yusof", "Foreign Minister II")


def test_dates_months_after_publication_are_not_the_meeting_date():
    find_date = ex.find_date
    pub = dt.date(2023, 7, 12)
    term = "Todd Gloria, of California, to be a Member of the Board for a term expiring December 10, 2029."
    assert find_date(term, pub) is None  # no meeting date in the text: the caller uses publication
    preview = "The President will meet virtually on July 25, 2023 with the Prime Minister of Japan."
    assert find_date(preview, pub) == (dt.date(2023, 7, 25), None)  # an announced meeting stays


def _same_search(rx, text: str) -> None:
    fast, plain = rx.search(text), rx.pattern.search(text)
    assert (fast is None) == (plain is None), text
    assert rx.found(text) == (plain is not None), text
    if plain is not None:
        assert fast.end() == plain.end() and fast.groupdict() == plain.groupdict(), text
        assert fast.groups() == plain.groups(), text
        # the same match, or one that begins with the non-word character before it
        assert fast.start() == plain.start() or (
            fast.start() == plain.start() - 1 and not re.match(r"\w", text[fast.start()])
        ), text


_WORD_START_PATTERNS = ("_VIDEO", "_PHONE", "_IN_PERSON", "_DURATION", "_DURATION_ADJ", "_MEETING_VERB")


def test_word_start_lowered_forms() -> None:
    # every pattern but _DURATION's (searched for its groups) is looked for in lowered texts
    for name in ("_VIDEO", "_PHONE", "_IN_PERSON", "_MEETING_VERB", "_STRONG_MEETING", "_DURATION_ADJ"):
        rx = getattr(ex, name)
        assert rx._low_first is not None, name
        assert not any(c.isupper() for c in rx._low_first.pattern.replace("(?P<", "")), name
    assert not ex._lower_case_only("(?=[A-Z])x")
    assert not ex._lower_case_only("é")
    assert ex._lower_case_only("’s")


def test_word_start_searches_find_the_plain_match(corpus_dir) -> None:
    texts = [
        "",
        "met",
        "Met with",
        "x met",
        "_met",
        "a video call",
        "for 2 hours",
        "90-minute",
        "1-hour-long",
    ]
    texts += [
        "lasted two hours and a half",
        "(met)",
        "méet",
        "İmet",
        "ımet",
        "were in Tokyo",
        "WERE IN tokyo",
    ]
    texts += ["were in ıstanbul", "were in İstanbul", "were in Kelvin", "were in 2023", "were in éire"]
    texts += ["were in É", "were in ſ", "SPOKE", "Spoke", "ſpoke", "ſ spoke", "VIDEO CALL", "Via Video"]
    for path in sorted(corpus_dir.rglob("*.txt"))[:80]:
        for paragraph in path.read_text(encoding="utf-8", errors="replace").split("\n\n")[:6]:
            texts.append(paragraph)
            texts.extend(ex.split_sentences(paragraph))
    for name in (*_WORD_START_PATTERNS, "_STRONG_MEETING"):
        rx = getattr(ex, name)
        for text in texts:
            _same_search(rx, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ["met", "held talks", "for", "two", "2", "hours", "minutes", "hour", "-", "long", "video"]
        )
        | st.sampled_from(
            ["call", "spoke", "over", "about", "a", "half", "and", "x", "İ", "ı", "_", "’", "virtually"]
        )
        | st.sampled_from(["were in", "WERE", "In", "Tokyo", "tokyo", "ıx", "ſ", "K", "É", "a"])
        | st.sampled_from([" ", " ", "\n", ",", "."]),
        max_size=25,
    ).map("".join)
)
def test_word_start_searches_property(text: str) -> None:
    for name in (*_WORD_START_PATTERNS, "_STRONG_MEETING"):
        _same_search(getattr(ex, name), text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["U.S.", "a" * 30, "Mr.", "x", ".", " ", "J.", "é", "_", "\n", "!", "?", "Dr", "1"]),
        max_size=30,
    ).map("".join)
)
def test_last_word_is_the_whole_text_search(before: str) -> None:
    plain = ex._WORD_BEFORE_DOT.search(before)
    found = ex._last_word(before)
    assert (found is None) == (plain is None)
    if plain is not None:
        assert found.span() == plain.span() and found.group(1) == plain.group(1)
