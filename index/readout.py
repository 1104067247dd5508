"""``parse_readout``: raw readout text in, :class:`ParsedReadout` out. Never raises."""

from __future__ import annotations

import logging

from index import extract as ex
from index.cleaning import CleanedReadout, clean_readout
from index.gazetteer import Gazetteer, default_gazetteer
from index.models import Location, ParsedReadout

log = logging.getLogger(__name__)


def parse_readout(raw: str, *, gazetteer: Gazetteer | None = None) -> ParsedReadout:
    """Clean a decoded readout and extract its meeting metadata.

    Returns whatever could be found; problems are reported in ``warnings`` rather than raised.
    """
    warnings: list[str] = []
    try:
        gz = gazetteer or default_gazetteer()
    except Exception as exc:  # noqa: BLE001 - a broken install must still index text
        warnings.append(f"gazetteer unavailable: {exc}")
        gz = Gazetteer()
    if not isinstance(raw, str):
        raw = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw or "")
    try:
        cleaned = clean_readout(raw, gz)
    except Exception as exc:  # noqa: BLE001
        log.exception("cleaning failed")
        warnings.append(f"cleaning failed: {exc}")
        cleaned = CleanedReadout(paragraphs=[ln for ln in raw.splitlines() if ln.strip()])
    warnings.extend(cleaned.warnings)
    title = _title(cleaned)
    try:
        return _extract(cleaned, title, gz, warnings)
    except Exception as exc:  # noqa: BLE001 - extraction is best effort
        log.exception("extraction failed")
        warnings.append(f"metadata extraction failed: {exc}")
        return ParsedReadout(
            title=title,
            text=cleaned.text,
            captions=tuple(cleaned.captions),
            duplicates_removed=cleaned.duplicates_removed,
            warnings=tuple(warnings),
        )


def _title(cleaned: CleanedReadout) -> str:
    title = (
        cleaned.title or ex.title_from_captions(cleaned.captions) or ex.title_from_text(cleaned.paragraphs)
    )
    if not title:
        return "Untitled"
    title = " ".join(title.split())
    return title if len(title) <= 300 else title[:297].rsplit(" ", 1)[0] + "…"


def _extract(cleaned: CleanedReadout, title: str, gz: Gazetteer, warnings: list[str]) -> ParsedReadout:
    paragraphs = cleaned.paragraphs
    pub, pub_swapped = ex.parse_publication_date(cleaned.date_lines)
    if pub is None:
        warnings.append("no publication date found")

    meeting = ex.meeting_sentences(paragraphs)
    sentences = [s for _, s in meeting]
    lead = " ".join(sentences[:1]) or (paragraphs[0] if paragraphs else "")
    first_paragraph = paragraphs[0] if paragraphs else ""

    # Meeting date: the meeting sentence first, then the opening paragraph.
    found = None
    for text in (*sentences[:2], first_paragraph):
        found = ex.find_date(text, pub)
        if found:
            break
    if pub_swapped is not None and found and found[0] > pub and found[0] <= pub_swapped:
        pub = pub_swapped  # "12/7/2023" read day-first fits the text better
    elif (
        pub_swapped is not None and found and 0 <= (pub_swapped - found[0]).days <= 7 < (pub - found[0]).days
    ):
        pub = pub_swapped  # "08/01/2024" over talks "on January 8": a day-first publisher
    if found is None and pub is not None:
        found = (pub, None)
    meeting_date, meeting_end = found if found else (None, None)

    fmt = ex.detect_format(cleaned.title or "", lead)
    if fmt is None and not cleaned.title:
        fmt = ex.detect_format(" ".join(cleaned.captions), "")

    duration = None
    for text in (lead, *paragraphs[:2]):
        duration = ex.find_duration(text)
        if duration:
            break

    host = ex.host_country(title, [cleaned.publisher or "", cleaned.section or ""], cleaned.text)
    hints = tuple(c for _, _, c in gz.find_countries(title))
    participants = ex.extract_participants(cleaned.title or "", sentences, gz, host, hints)
    if not participants:
        warnings.append("no participants found")
    countries = tuple(dict.fromkeys(p.country for p in participants if p.country))
    is_meeting = ex.is_meeting_text(title, participants, bool(sentences))
    meeting_type = ex.classify_meeting(participants, title, gz, is_meeting)

    location: Location | None = None
    if fmt not in ("telephone", "video"):
        location = ex.find_location(ex.location_texts(cleaned.title or "", sentences, paragraphs), gz)
        if location and location.country is None and location.city:
            location = Location(location.city, gz.city_country(location.city))

    return ParsedReadout(
        title=title,
        text=cleaned.text,
        publication_date=pub,
        meeting_date=meeting_date,
        meeting_date_end=meeting_end,
        meeting_type=meeting_type,
        format=fmt,
        duration_minutes=duration,
        location=location,
        participants=participants,
        countries=countries,
        captions=tuple(cleaned.captions),
        duplicates_removed=cleaned.duplicates_removed,
        warnings=tuple(warnings),
    )
