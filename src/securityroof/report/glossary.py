"""The abbreviations a report may use, spelt out once at its end.

The report lists only those its text uses (`used_in`), so a reader meets no
abbreviation the page does not explain; a test holds every capitalised
abbreviation of a real report to this table.
"""

from __future__ import annotations

import html
import re

GLOSSARY: dict[str, str] = {
    "A-135": "the Russian missile defence of Moscow",
    "AN/SPY-1": "the S-band phased-array radar of Aegis ships",
    "FTG": "a US Missile Defense Agency intercept test of the GBI (Flight Test, Ground-based)",
    "GAO": "the US Government Accountability Office",
    "GEO": "geostationary orbit",
    "IA": "SM-3 Block IA",
    "IB": "SM-3 Block IB",
    "IIA": "SM-3 Block IIA, the faster 21-inch variant",
    "IIB": "SM-3 Block IIB, the planned faster variant (cancelled in 2013)",
    "S1": "the first-order Sobol sensitivity index",
    "SHA-256": "the Secure Hash Algorithm's 256-bit fingerprint of a file",
    "TASS": "the Russian news agency",
    "ABM": "Anti-Ballistic Missile (the 1972 US-Soviet treaty)",
    "AN/TPY-2": (
        "the US Army's transportable X-band radar "
        "(Army/Navy, Transportable Radar Surveillance, model 2)"
    ),
    "BMD": "ballistic missile defence",
    "CSV": "comma-separated values (a table file)",
    "CZML": "Cesium Language: time-dynamic scenes for the Cesium globe",
    "EPAA": "European Phased Adaptive Approach, the US plan of 2009 for missile defence in Europe",
    "GBI": "Ground-Based Interceptor, the interceptor of the US GMD system",
    "GIS": "geographic information system",
    "GMD": "Ground-based Midcourse Defense, the US national missile defence",
    "GSHHS": (
        "Global Self-consistent, Hierarchical, High-resolution Geography "
        "(the coastlines of the maps)"
    ),
    "ICBM": "intercontinental ballistic missile (range over 5,500 km)",
    "IRBM": "intermediate-range ballistic missile (3,000-5,500 km)",
    "KML": "Keyhole Markup Language (Google Earth)",
    "MDA": "the US Missile Defense Agency",
    "MRBM": "medium-range ballistic missile (1,000-3,000 km)",
    "NATO": "North Atlantic Treaty Organization",
    "PAC-3": "Patriot Advanced Capability-3, a terminal interceptor",
    "PAWS": "Phased Array Warning System, the US early-warning radars",
    "RCS": "radar cross section",
    "RV": "re-entry vehicle, the warhead-carrying body",
    "S-400": "a Russian surface-to-air missile system",
    "SBIRS": "Space-Based Infrared System, the US early-warning satellites",
    "SLBM": "submarine-launched ballistic missile",
    "SM-3": "Standard Missile-3, the Aegis exo-atmospheric interceptor (Blocks IA, IB, IIA)",
    "SPY-1": "the S-band phased-array radar of Aegis ships",
    "SRBM": "short-range ballistic missile (under 1,000 km)",
    "START": "Strategic Arms Reduction Treaty (New START, 2010)",
    "THAAD": "Terminal High Altitude Area Defense, a US interceptor and its radar",
    "UHF": "ultra high frequency radar band (300 MHz-1 GHz)",
    "US": "United States",
    "USS": "United States Ship",
    "VHF": "very high frequency radar band (30-300 MHz)",
}

_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def visible_text(page: str) -> str:
    """The text a reader sees: tags, scripts and styles removed, entities decoded."""
    return html.unescape(_TAGS.sub(" ", page))


def used_in(text: str) -> list[tuple[str, str]]:
    """The glossary entries `text` uses, alphabetically: whole words only
    (SM-3 in "SM-3 IIA", not RV in "RVs" of another word)."""
    return [
        (term, meaning)
        for term, meaning in sorted(GLOSSARY.items())
        if re.search(rf"(?<![\w/-]){re.escape(term)}(?![\w-]*[A-Za-z])", text)
    ]
