"""Gazetteer: country variants, cities, people, overlay merge and malformed overlays."""

from __future__ import annotations

import json

import pytest

from index.gazetteer import Gazetteer, default_gazetteer


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vietnam", "Viet Nam"),
        ("Việt Nam", "Viet Nam"),
        ("Socialist Republic of Viet Nam", "Viet Nam"),
        ("vietnamese", "Viet Nam"),
        ("U.S.", "United States"),
        ("USA", "United States"),
        ("United States of America", "United States"),
        ("American", "United States"),
        ("ROK", "Republic of Korea"),
        ("South Korea", "Republic of Korea"),
        ("People's Republic of China", "China"),
        ("People’s Republic of China", "China"),
        ("PRC", "China"),
        ("DPRK", "North Korea"),
        ("Japanese", "Japan"),
        ("Japan's", "Japan"),
        ("the Philippines", "Philippines"),
        ("Burma", "Myanmar"),
        ("Türkiye", "Turkey"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_canonical_country(gz: Gazetteer, text: str, expected: str | None) -> None:
    assert gz.canonical_country(text) == expected


def test_covers_the_world(gz: Gazetteer) -> None:
    assert len(gz.country_names()) >= 193
    assert len(set(gz.country_names())) == len(gz.country_names())


def test_country_variants_for_search(gz: Gazetteer) -> None:
    variants = gz.country_variants("Vietnam")
    assert variants[0] == "Viet Nam"
    assert {"Vietnam", "Việt Nam", "Socialist Republic of Viet Nam"} <= set(variants)
    assert gz.country_variants("Nowhere") == ()


@pytest.mark.parametrize(
    ("city", "country"),
    [
        ("Hanoi", "Viet Nam"),
        ("Tokyo", "Japan"),
        ("Vienna", "Austria"),
        ("Washington", "United States"),
        ("Gotham", None),
    ],
)
def test_city_country(gz: Gazetteer, city: str, country: str | None) -> None:
    assert gz.city_country(city) == country


def test_white_house_is_washington(gz: Gazetteer) -> None:
    assert gz.place("the White House") == ("Washington", "United States")


def test_people(gz: Gazetteer) -> None:
    assert gz.person("Fumio Kishida").canonical == "Kishida Fumio"
    assert gz.person("KISHIDA Fumio").country == "Japan"
    assert gz.person("Blinken").country == "United States"
    assert gz.person("Wang Yi").country == "China"
    assert gz.person("Nobody Atall") is None


def test_overlay_merges(tmp_path) -> None:
    overlay = tmp_path / "overlay.json"
    overlay.write_text(
        json.dumps(
            {
                "countries": [
                    {"name": "Viet Nam", "variants": ["VN"]},
                    {"name": "Freedonia", "cities": ["Fredville"]},
                ],
                "people": [
                    {"canonical": "Rufus T. Firefly", "variants": ["Firefly"], "country": "Freedonia"}
                ],
            }
        ),
        encoding="utf-8",
    )
    gz = Gazetteer.load(overlay)
    assert gz.warnings == []
    assert gz.canonical_country("VN") == "Viet Nam"
    assert gz.canonical_country("Vietnam") == "Viet Nam"  # defaults kept
    assert gz.city_country("Fredville") == "Freedonia"
    assert gz.person("Firefly").canonical == "Rufus T. Firefly"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2, 3]",
        '{"countries": [{"variants": ["x"]}]}',
        '{"navigation": ["(unclosed"]}',
        "__import__('os')",
    ],
)
def test_malformed_overlay_keeps_defaults(tmp_path, content: str) -> None:
    overlay = tmp_path / "overlay.json"
    overlay.write_text(content, encoding="utf-8")
    gz = Gazetteer.load(overlay)
    assert gz.warnings and "overlay" in gz.warnings[0]
    assert gz.canonical_country("Vietnam") == "Viet Nam"
    assert gz.city_country("Hanoi") == "Viet Nam"


def test_missing_overlay_is_fine(tmp_path) -> None:
    gz = Gazetteer.load(tmp_path / "absent.json")
    assert gz.warnings == []
