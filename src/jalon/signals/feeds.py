"""Reading feeds: fetch the bytes over HTTP (urllib) and parse them (feedparser).

The fetch sends a User-Agent and the validators of the last answer (If-None-Match,
If-Modified-Since), gives up after `timeout` seconds, and reads at most `max_bytes`.
Feedparser only ever sees bytes: it never opens an address itself. Every failure comes
back as a code of `rules.FETCH_ERRORS` with a short detail, never as an exception, so one
broken feed cannot stop the others.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from jalon import __version__

TIMEOUT = 10.0  # seconds
MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 500  # read from one answer
USER_AGENT = f"Jalon/{__version__} (market watch; +https://github.com/jalon)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_TAGS = re.compile(r"<[^>]+>")
_where = re.compile(r"<unknown>:(\d+):\d+: ")


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    link: str
    summary: str
    published_at: datetime | None


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch: entries, "not modified", or an error code and detail."""

    entries: tuple[Entry, ...] = ()
    not_modified: bool = False
    etag: str = ""
    modified: str = ""
    error_code: str = ""
    error_detail: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.error_code


def _opener() -> urllib.request.OpenerDirector:
    """HTTP and HTTPS only (no file:, ftp: or data:, even through a redirect)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _request(url: str, etag: str, modified: str) -> urllib.request.Request:
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    return urllib.request.Request(url, headers=headers)  # noqa: S310 (http(s) only, see _opener)


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason)[:300] or type(reason).__name__


def _download(
    url: str, etag: str, modified: str, timeout: float, max_bytes: int
) -> tuple[bytes, Any] | Fetched:
    """The body and headers of the answer, or the Fetched that says why there is none."""
    try:
        with _opener().open(_request(url, etag, modified), timeout=timeout) as response:
            return response.read(max_bytes + 1), response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(not_modified=True, etag=etag, modified=modified)
        return Fetched(error_code="http", error_detail=f"{exc.code} {exc.reason}"[:300])
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
            return Fetched(error_code="timeout", error_detail=f"{timeout:g}")
        return Fetched(error_code="unreachable", error_detail=_reason(exc))


def fetch(
    url: str,
    *,
    etag: str = "",
    modified: str = "",
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """Fetch and parse a feed; never raises for what the network or the server does."""
    got = _download(url, etag, modified, timeout, max_bytes)
    if isinstance(got, Fetched):
        return got
    body, headers = got
    if len(body) > max_bytes:
        return Fetched(error_code="too_large", error_detail=f"{max_bytes / 1024 / 1024:g}")
    parsed = parse(body)
    return Fetched(
        entries=parsed.entries,
        etag=str(headers.get("ETag", "") or "")[:300],
        modified=str(headers.get("Last-Modified", "") or "")[:100],
        error_code=parsed.error_code,
        error_detail=parsed.error_detail,
        warnings=parsed.warnings,
    )


def parse(body: bytes) -> Fetched:
    """The entries of an RSS or Atom document, or why it is not one."""
    result: Any = feedparser.parse(body)
    entries = tuple(e for e in (_entry(raw) for raw in result.entries[:MAX_ENTRIES]) if e)
    problem = _where.sub(r"line \1: ", str(result.get("bozo_exception", "") or ""))[:300]
    if not entries:
        if result.get("bozo") or not result.get("version"):
            detail = problem or "no RSS or Atom element"
            return Fetched(error_code="not_feed", error_detail=detail)
        return Fetched(error_code="empty")
    warnings = (problem,) if result.get("bozo") and problem else ()
    return Fetched(entries=entries, warnings=warnings)


def plain(text: str, limit: int = 2000) -> str:
    """HTML reduced to its text, whitespace collapsed, cut at `limit` characters."""
    stripped = html.unescape(_TAGS.sub(" ", text or ""))
    return " ".join(stripped.split())[:limit]


def _when(raw: Any) -> datetime | None:
    parsed = raw.get("published_parsed") or raw.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _link(raw: Any) -> str:
    link = str(raw.get("link", "") or "").strip()
    return link[:1000] if link.lower().startswith(("http://", "https://")) else ""


def _entry(raw: Any) -> Entry | None:
    title = plain(str(raw.get("title", "") or ""), 500)
    summary = plain(str(raw.get("summary", "") or raw.get("description", "") or ""))
    link = _link(raw)
    if not (title or summary):
        return None
    guid = str(raw.get("id", "") or "").strip()
    digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
    key = (guid or link or f"sha256:{digest}")[:500]
    return Entry(key=key, title=title, link=link, summary=summary, published_at=_when(raw))
