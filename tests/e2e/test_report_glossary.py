"""Every abbreviation a report uses is spelt out at its end (issue: a reader
meets no unexplained abbreviation)."""

from __future__ import annotations

import re

from securityroof.report.glossary import GLOSSARY, used_in, visible_text

# A capitalised abbreviation: capitals and digits, joined by hyphens or
# slashes (SM-3, AN/TPY-2, PAC-3), not the start of a capitalised word.
ABBREVIATION = re.compile(r"(?<![\w/-])([A-Z][A-Z0-9]*(?:[-/][A-Z0-9]+)*)(?![\w-]*[a-z])")


def _explained(token: str) -> bool:
    """In the glossary, or a numbered instance of an entry (FTG-15), or
    entries joined by a slash (IA/IB)."""
    return (
        token in GLOSSARY
        or token.split("-")[0] in GLOSSARY
        or all(part in GLOSSARY for part in token.split("/"))
    )


def test_every_abbreviation_of_the_report_is_spelt_out(small_report):
    _, out = small_report
    page = (out / "index.html").read_text()
    # The citations keep their sources' own names (GAO, BBC, ...).
    body = visible_text(page[: page.index('id="references"')])
    found = {t for t in ABBREVIATION.findall(body) if len(t) > 1}
    assert "ICBM" in found or "SM-3" in found  # the check sees abbreviations at all
    unexplained = sorted(t for t in found if not _explained(t))
    assert not unexplained, unexplained
    listed = re.findall(r"<dt>([^<]+)</dt>", page[page.index('id="abbreviations"') :])
    assert listed == [term for term, _ in used_in(body)]
    assert all(term in GLOSSARY for term in listed)


def test_an_abbreviation_is_matched_as_a_whole_word():
    text = "The SM-3 IIA engages; RVs and US-made radars; the AN/SPY-1 radar."
    terms = [term for term, _ in used_in(text)]
    assert "SM-3" in terms and "IIA" in terms and "AN/SPY-1" in terms
    assert "RV" not in terms  # "RVs" is another word
    assert "SPY-1" not in terms  # only as part of AN/SPY-1
