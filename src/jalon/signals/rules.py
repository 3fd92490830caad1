"""Market-watch rules (pure): feed and watchlist input, keyword matching, signal states,
and the messages of a failed fetch.

Keywords match whole words, ignoring case and accents, in French and English alike:
"regulation" finds "Regulation" but not "deregulation"; "reglementation" finds
"Réglementation". A keyword of several words is a phrase (its words in that order, anything
but letters and digits between them: "open banking" finds "Open-Banking"). A trailing `*`
matches the start of a word ("banque*" finds "banques"; "plan* de mobilité" finds "Plans de
mobilité").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from jalon.errors import N_, Invalid

FEED_KINDS = ("competitor", "regulator", "technology", "other")
KIND_LABELS = {
    "competitor": N_("Competitor"),
    "regulator": N_("Regulator"),
    "technology": N_("Technology"),
    "other": N_("Other"),
}
STATES = ("new", "watching", "dismissed")
STATE_LABELS = {"new": N_("New"), "watching": N_("Watching"), "dismissed": N_("Dismissed")}
OPEN_STATES = ("new", "watching")

# Why a fetch failed: the code stored on the feed, and what the page says (with {detail}).
FETCH_ERRORS = {
    "unreachable": N_("The server could not be reached ({detail})."),
    "timeout": N_("The server did not answer within {detail} seconds."),
    "http": N_("The server answered HTTP {detail} instead of the feed."),
    "too_large": N_("The answer is larger than {detail} MB, the most Jalon reads."),
    "not_feed": N_("This address does not give an RSS or Atom feed ({detail})."),
    "empty": N_("The feed is readable but has no entry."),
    "store": N_("The entries could not be stored ({detail}); the next round tries again."),
}

NAME_MAX, URL_MAX, KEYWORD_MAX, KEYWORDS_MAX = 200, 1000, 100, 50
LIST_NAME_MAX = 100
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_WORD = re.compile(r"[^\W_]+")


def error_message(code: str) -> str:
    """The message template of a stored fetch error (unknown codes read as unreachable)."""
    return FETCH_ERRORS.get(code, FETCH_ERRORS["unreachable"])


# --- input ----------------------------------------------------------------------------------


def check_url(raw: object) -> str:
    """An absolute http(s) address, trimmed; Invalid otherwise."""
    url = str(raw or "").strip()
    if not url:
        raise Invalid("Give the address of the feed.", field="url")
    if len(url) > URL_MAX:
        raise Invalid("The address is too long (at most {n} characters).", field="url", n=URL_MAX)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise Invalid(
            "Give a web address starting with http:// or https://, such as "
            "https://example.com/feed.xml.",
            field="url",
        )
    return url


def clean_feed(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Name, address and kind of a feed; every problem at once (Invalid with fields)."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    checks = {"url": check_url, "name": _feed_name, "kind": _kind, "active": _active}
    for field, check in checks.items():
        if partial and values.get(field) is None:
            continue
        if not partial and field == "active" and field not in values:
            continue
        try:
            clean[field] = check(values.get(field))
        except Invalid as exc:
            problems.update(exc.fields)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


def _feed_name(raw: object) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise Invalid("Give the feed a name.", field="name")
    if len(name) > NAME_MAX:
        raise Invalid("The name is too long (at most {n} characters).", field="name", n=NAME_MAX)
    return name


def _kind(raw: object) -> str:
    kind = str(raw or "other").strip()
    if kind not in FEED_KINDS:
        raise Invalid("Choose one of: {kinds}.", field="kind", kinds=", ".join(FEED_KINDS))
    return kind


def _active(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "on", "yes")


def check_state(raw: object) -> str:
    state = str(raw or "").strip()
    if state not in STATES:
        raise Invalid("Choose one of: {states}.", field="state", states=", ".join(STATES))
    return state


def watchlist_name(raw: object) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise Invalid("Give the watchlist a name.", field="name")
    if len(name) > LIST_NAME_MAX:
        raise Invalid(
            "The name is too long (at most {n} characters).", field="name", n=LIST_NAME_MAX
        )
    return name


def parse_keywords(raw: str | Iterable[str] | None) -> list[str]:
    """Keywords from a list, or from text with one per line (or separated by commas).

    Empty entries are dropped and duplicates (ignoring case and accents) kept once; at least
    one keyword is needed, each with a letter or digit, at most KEYWORD_MAX characters.
    """
    parts = re.split(r"[\n,;]", raw) if isinstance(raw, str) else list(raw or [])
    found: dict[tuple[str, ...], str] = {}
    for part in parts:
        keyword = " ".join(str(part).split())
        if not keyword:
            continue
        if len(keyword) > KEYWORD_MAX:
            raise Invalid(
                "The keyword {keyword!r} is too long (at most {n} characters).",
                field="keywords", keyword=keyword[:40], n=KEYWORD_MAX,
            )  # fmt: skip
        pattern = compile_keyword(keyword)
        if not pattern:
            raise Invalid(
                "The keyword {keyword!r} has no letter or digit.", field="keywords", keyword=keyword
            )
        found.setdefault(pattern, keyword)
    if not found:
        raise Invalid("Give at least one keyword.", field="keywords")
    if len(found) > KEYWORDS_MAX:
        raise Invalid("At most {n} keywords per watchlist.", field="keywords", n=KEYWORDS_MAX)
    return list(found.values())


def clean_watchlist(name: object, keywords: Any) -> tuple[str, list[str]]:
    """A watchlist's name and keywords; every problem at once (Invalid with fields)."""
    problems: dict[str, str] = {}
    clean_name, found = "", []
    try:
        clean_name = watchlist_name(name)
    except Invalid as exc:
        problems.update(exc.fields)
    try:
        found = parse_keywords(keywords)
    except Invalid as exc:
        problems.update(exc.fields)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean_name, found


# --- matching -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: "Réglementation Œuvre" → "reglementation oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits; punctuation and `_` separate)."""
    return _WORD.findall(fold(text))


def compile_keyword(keyword: str) -> tuple[str, ...]:
    """The folded words of a keyword; a word written with a final `*` keeps it (prefix)."""
    found: list[str] = []
    for part in keyword.split():
        part_words = words(part)
        if part_words and part.endswith("*"):
            part_words[-1] += "*"
        found += part_words
    return tuple(found)


def _word_matches(pattern: str, word: str) -> bool:
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern


def _phrase_at(pattern: Sequence[str], text: Sequence[str], start: int) -> bool:
    return all(_word_matches(p, text[start + i]) for i, p in enumerate(pattern))


def contains(pattern: Sequence[str], text_words: Sequence[str]) -> bool:
    """Whether the phrase occurs in the words, as whole words and in order."""
    span = len(pattern)
    if span == 0:
        return False
    return any(_phrase_at(pattern, text_words, i) for i in range(len(text_words) - span + 1))


def matching(keywords: Iterable[str], text: str) -> list[str]:
    """The keywords (as written) found in the text, in the order given, each once."""
    text_words = words(text)
    found: list[str] = []
    for keyword in keywords:
        if keyword not in found and contains(compile_keyword(keyword), text_words):
            found.append(keyword)
    return found


# --- backlog items from signals -------------------------------------------------------------

ITEM_TITLE_MAX = 200


def item_values(title: str, link: str, summary: str, feed_name: str) -> dict[str, str]:
    """A backlog item's title and description (Markdown) for a market signal."""
    short = title if len(title) <= ITEM_TITLE_MAX else title[: ITEM_TITLE_MAX - 1] + "…"
    quoted = "\n".join(f"> {line}" for line in summary.splitlines() if line.strip())
    source = f"[{_md_text(title)}](<{link}>)" if link else _md_text(title)
    parts = [quoted, f"Market signal from {_md_text(feed_name)}: {source}"]
    return {"title": short, "description": "\n\n".join(p for p in parts if p), "type": "story"}


def _md_text(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
