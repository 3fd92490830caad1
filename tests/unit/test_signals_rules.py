"""Market-watch rules: keyword matching in French and English, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.errors import Invalid
from jalon.signals import feeds, rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.mark.parametrize(
    ("keyword", "text", "found"),
    [
        ("regulation", "New Regulation on payments", True),
        ("regulation", "The deregulation of banks", False),  # whole words only
        ("réglementation", "REGLEMENTATION des paiements", True),  # accents and case
        ("reglementation", "Réglementation : nouvelles exigences", True),
        ("open banking", "La consultation sur l'Open-Banking est ouverte", True),  # phrase
        ("open banking", "open data and banking", False),  # the words must follow each other
        ("banque*", "Les banques en ligne", True),  # prefix
        ("banque", "Les banques en ligne", False),
        ("plan* de mobilité", "Les plans de mobilité employeur", True),  # a star on any word
        ("plan* de mobilité", "Les plans de la mobilité", False),
        ("cœur", "Le coeur du réseau", True),  # ligatures fold
        ("DSP3", "l'authentification forte (DSP3) applicable", True),
        ("api", "rapid growth", False),
    ],
)
def test_keywords_match_whole_words_ignoring_case_and_accents(
    keyword: str, text: str, found: bool
) -> None:
    assert (rules.matching([keyword], text) == [keyword]) is found


def test_matching_returns_each_keyword_once_in_the_given_order() -> None:
    text = "Virtual cards and open banking: virtual CARDS everywhere"
    assert rules.matching(["open banking", "virtual cards", "crypto"], text) == [
        "open banking",
        "virtual cards",
    ]


def test_keywords_are_parsed_from_lines_or_commas_and_deduplicated() -> None:
    raw = "open banking\n Réglementation , reglementation\n\n; DSP3 ;banque*"
    assert rules.parse_keywords(raw) == ["open banking", "Réglementation", "DSP3", "banque*"]
    assert rules.parse_keywords(["  virtual   cards "]) == ["virtual cards"]


@pytest.mark.parametrize("raw", ["", "  \n , ;", [], None])
def test_an_empty_watchlist_is_refused(raw: object) -> None:
    with pytest.raises(Invalid) as caught:
        rules.parse_keywords(raw)  # type: ignore[arg-type]
    assert "keywords" in caught.value.fields


def test_keywords_without_letters_or_too_long_are_refused() -> None:
    with pytest.raises(Invalid, match="no letter or digit"):
        rules.parse_keywords("!!!")
    with pytest.raises(Invalid, match="too long"):
        rules.parse_keywords("x" * 101)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.com/feed",
        "ftp://example.com/feed",
        "file:///etc/passwd",
        "http://",
        "https://a b",
    ],
)
def test_a_malformed_feed_address_is_refused(url: str) -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_feed({"name": "Feed", "url": url, "kind": "other"})
    assert "url" in caught.value.fields


def test_feed_input_reports_every_field_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        rules.clean_feed({"name": " ", "url": "nope", "kind": "gossip"})
    assert set(caught.value.fields) == {"name", "url", "kind"}
    clean = rules.clean_feed({"name": " CNIL  news ", "url": " https://x.example/rss ", "kind": ""})
    assert clean == {"name": "CNIL news", "url": "https://x.example/rss", "kind": "other"}


def test_an_item_from_a_signal_quotes_its_source() -> None:
    values = rules.item_values(
        "Rivalbank ships *virtual* cards", "https://r.example/v", "Line one\nLine two", "Rivalbank"
    )
    assert values["title"] == "Rivalbank ships *virtual* cards"
    assert "> Line one\n> Line two" in values["description"]
    assert "[Rivalbank ships \\*virtual\\* cards](<https://r.example/v>)" in values["description"]
    assert len(rules.item_values("t" * 300, "", "", "F")["title"]) == 200


# --- parsing the fixture feeds ----------------------------------------------------------------


def test_rss2_entries_are_read_with_their_guid_date_and_plain_text() -> None:
    parsed = feeds.parse((FIXTURES / "regulator_rss2.xml").read_bytes())
    assert parsed.ok and len(parsed.entries) == 3
    first = parsed.entries[0]
    assert first.key == "https://regulateur.example.fr/node/48213"
    assert first.title.startswith("Réglementation : nouvelles exigences")
    assert "<" not in first.summary and "lignes directrices" in first.summary
    assert first.published_at is not None and first.published_at.isoformat() == (
        "2026-11-23T08:00:00+00:00"
    )


def test_atom_entries_are_read_with_html_titles_unescaped() -> None:
    parsed = feeds.parse((FIXTURES / "competitor_atom.xml").read_bytes())
    titles = [e.title for e in parsed.entries]
    assert titles[0] == "Introducing instant virtual cards for every customer"
    assert parsed.entries[1].summary.startswith("Couples and flatmates")
    assert parsed.entries[1].published_at is not None  # from <updated> when no <published>


def test_a_sloppy_feed_with_entries_is_read_with_a_warning() -> None:
    parsed = feeds.parse((FIXTURES / "sloppy_rss.xml").read_bytes())
    assert parsed.ok and len(parsed.entries) == 2
    assert parsed.warnings and "undefined entity" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("not_a_feed.html", "not_feed"),
        ("truncated.xml", "not_feed"),
        ("json_not_feed.json", "not_feed"),
        ("empty_channel.xml", "empty"),
    ],
)
def test_what_is_not_a_usable_feed_gets_its_own_error(name: str, code: str) -> None:
    parsed = feeds.parse((FIXTURES / name).read_bytes())
    assert parsed.error_code == code and not parsed.entries
    assert code in rules.FETCH_ERRORS
