"""Market watch end to end on both engines: real-world RSS 2.0 and Atom samples served by a
local HTTP server, broken feeds that each get their own error, watchlists, signals, links to
opportunities and backlog items, and the trend of themes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jalon.activity import ActivityEntry
from jalon.backlog.models import Item
from jalon.discovery.models import TreeNode
from jalon.errors import Conflict, Forbidden, Invalid
from jalon.feedback.models import Feedback
from jalon.permissions import CLI_ACTOR, Actor
from jalon.products import services as products
from jalon.signals import feeds, queries, services
from jalon.signals.models import Feed, FeedEntry, MarketSignal, Watchlist
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import Database
from tests.support.helpers import actor, make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
ROUTES = {
    "/regulator.xml": ("regulator_rss2.xml", "application/rss+xml; charset=utf-8"),
    "/competitor.atom": ("competitor_atom.xml", "application/atom+xml"),
    "/sloppy.xml": ("sloppy_rss.xml", "text/xml"),
    "/home.html": ("not_a_feed.html", "text/html"),
    "/truncated.xml": ("truncated.xml", "application/xml"),
    "/empty.xml": ("empty_channel.xml", "application/rss+xml"),
}


class FeedServer:
    """The fixture feeds over HTTP on 127.0.0.1, answering ETag / If-None-Match with 304,
    404 for unknown paths and 500 on /broken; it keeps the headers it was sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers)))
                outer.answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/broken":
            handler.send_error(500, "Internal Server Error")
            return
        if handler.path not in ROUTES:
            handler.send_error(404, "Not Found")
            return
        name, content_type = ROUTES[handler.path]
        etag = f'"{name}-v1"'
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.end_headers()
            return
        body = (FIXTURES / name).read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", "Tue, 24 Nov 2026 16:02:11 GMT")
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _setup(db: Database) -> tuple[Actor, int, Actor]:
    po = actor(make_user(db, "po@example.org", name="Paula"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    member = make_user(db, "dev@example.org", name="Dev")
    products.add_member(db.uow(), product_id=pid, actor=po, email=member.email, role="member")
    return po, pid, actor(member)


def _feed(db: Database, po: Actor, pid: int, name: str, url: str, kind: str = "other") -> int:
    values = {"name": name, "url": url, "kind": kind}
    return services.create_feed(db.uow(), actor=po, product_id=pid, values=values).id


def _rows(db: Database, model: Any, *where: Any) -> list[Any]:
    with db.reader() as uow:
        return list(uow.session.scalars(select(model).where(*where).order_by(model.id)))


def _count(db: Database, model: Any) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


WATCHED = "open banking\nvirtual cards\nréglementation\nfraud"


def test_every_feed_is_fetched_and_each_broken_one_gets_its_own_error(
    db: Database, feed_server: FeedServer
) -> None:
    po, pid, _member = _setup(db)
    services.create_watchlist(db.uow(), actor=po, product_id=pid, name="Market", keywords=WATCHED)
    good = {
        "regulator": _feed(
            db, po, pid, "Regulator", feed_server.url("/regulator.xml"), "regulator"
        ),
        "competitor": _feed(
            db, po, pid, "Rival", feed_server.url("/competitor.atom"), "competitor"
        ),
        "sloppy": _feed(db, po, pid, "Technews", feed_server.url("/sloppy.xml"), "technology"),
    }
    broken = {
        "html": _feed(db, po, pid, "Home page", feed_server.url("/home.html")),
        "404": _feed(db, po, pid, "Moved", feed_server.url("/gone.xml")),
        "500": _feed(db, po, pid, "Failing", feed_server.url("/broken")),
        "truncated": _feed(db, po, pid, "Cut", feed_server.url("/truncated.xml")),
        "empty": _feed(db, po, pid, "Quiet", feed_server.url("/empty.xml")),
        "refused": _feed(db, po, pid, "Down", f"http://127.0.0.1:{closed_port()}/rss"),
        "dns": _feed(db, po, pid, "Typo", "http://no-such-host.invalid/rss"),
    }
    reports = services.fetch_feeds(db, actor=po, product_id=pid)
    assert len(reports) == len(good) + len(broken)
    stored = {f.id: f for f in _rows(db, Feed, Feed.product_id == pid)}
    expected = {
        "html": ("not_feed", "mismatched tag"),
        "404": ("http", "404"),
        "500": ("http", "500"),
        "truncated": ("not_feed", "line 7"),
        "empty": ("empty", ""),
        "refused": ("unreachable", "connection refused"),
        "dns": ("unreachable", ""),
    }
    for key, (code, detail) in expected.items():
        feed = stored[broken[key]]
        assert (feed.error_code, key) == (code, key)
        assert detail in feed.error_detail
        assert feed.last_fetched_at is not None and feed.last_ok_at is None
    for feed_id in good.values():
        assert stored[feed_id].error_code == "" and stored[feed_id].last_ok_at is not None
    entries = _rows(db, FeedEntry)
    assert len(entries) == 3 + 3 + 2  # every entry of the readable feeds, whatever broke
    signals = {s.entry_id: s.matched for s in _rows(db, MarketSignal)}
    titles = {e.id: e.title for e in entries}
    found = {titles[i][:30]: m for i, m in signals.items()}
    assert found == {
        "Réglementation : nouvelles exi": ["réglementation"],
        "Consultation publique sur l'op": ["open banking"],
        "Introducing instant virtual ca": ["virtual cards"],
        "Our API is now compliant with ": ["open banking"],
        "AI fraud detection goes mainst": ["fraud"],
    }
    assert sum(r.new_signals for r in reports) == 5


def test_a_second_round_asks_with_validators_and_stores_nothing_twice(
    db: Database, feed_server: FeedServer
) -> None:
    po, pid, _member = _setup(db)
    feed_id = _feed(db, po, pid, "Regulator", feed_server.url("/regulator.xml"))
    services.fetch_feeds(db, actor=po, product_id=pid)
    _first_path, first_headers = feed_server.requests[-1]
    assert first_headers["User-Agent"].startswith("Jalon/")
    assert "If-None-Match" not in first_headers
    report = services.fetch_feeds(db, actor=po, product_id=pid)[0]
    assert feed_server.requests[-1][1]["If-None-Match"] == '"regulator_rss2.xml-v1"'
    assert feed_server.requests[-1][1]["If-Modified-Since"] == "Tue, 24 Nov 2026 16:02:11 GMT"
    assert report.not_modified and report.new_entries == 0
    # Without the validators the server sends everything again: still stored once.
    with db.uow() as uow:
        uow.get(Feed, feed_id, what="feed").etag = ""
        uow.get(Feed, feed_id, what="feed").modified = ""
        uow.commit()
    again = services.fetch_feeds(db, actor=po, product_id=pid)[0]
    assert again.new_entries == 0 and not again.not_modified
    assert _count(db, FeedEntry) == 3


def test_fetch_limits_size_and_time() -> None:
    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            threading.Event().wait(2)  # answers too late

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/feed"
        slow = feeds.fetch(url, timeout=0.2)
        assert (slow.error_code, slow.error_detail) == ("timeout", "0.2")
    finally:
        httpd.shutdown()
        httpd.server_close()
    server = FeedServer()
    try:
        big = feeds.fetch(server.url("/regulator.xml"), max_bytes=1024)
        assert big.error_code == "too_large"
    finally:
        server.close()


def test_a_new_watchlist_finds_signals_in_entries_already_stored(
    db: Database, feed_server: FeedServer
) -> None:
    po, pid, _member = _setup(db)
    _feed(db, po, pid, "Rival", feed_server.url("/competitor.atom"), "competitor")
    services.fetch_feeds(db, actor=po, product_id=pid)
    assert _count(db, MarketSignal) == 0
    services.create_watchlist(
        db.uow(), actor=po, product_id=pid, name="Cards", keywords=["Virtual card*", "budget*"]
    )
    matched = sorted(tuple(s.matched) for s in _rows(db, MarketSignal))
    assert matched == [("Virtual card*",), ("budget*",)]
    # Changing the keywords finds more, and keeps the signals already found.
    wl = _rows(db, Watchlist)[0]
    services.update_watchlist(
        db.uow(), actor=po, watchlist_id=wl.id, name="Cards", keywords="open banking"
    )
    assert _count(db, MarketSignal) == 3


def _opportunity(db: Database, pid: int, kind: str = "opportunity") -> int:
    with db.uow() as uow:
        node = TreeNode(product_id=pid, kind=kind, title=f"Faster card issuing ({kind})")
        uow.add(node)
        uow.commit()
        return node.id


def _one_signal(db: Database, feed_server: FeedServer, po: Actor, pid: int) -> MarketSignal:
    services.create_watchlist(
        db.uow(), actor=po, product_id=pid, name="W", keywords="virtual cards"
    )
    _feed(db, po, pid, "Rival", feed_server.url("/competitor.atom"), "competitor")
    services.fetch_feeds(db, actor=po, product_id=pid)
    return _rows(db, MarketSignal)[0]


def test_the_team_triages_links_and_turns_a_signal_into_an_item(
    db: Database, feed_server: FeedServer
) -> None:
    po, pid, member = _setup(db)
    signal = _one_signal(db, feed_server, po, pid)
    assert signal.state == "new"
    node = _opportunity(db, pid)
    linked = services.link_opportunity(
        db.uow(), actor=member, signal_id=signal.id, opportunity_id=node
    )
    assert (linked.opportunity_id, linked.state) == (node, "watching")
    item = services.make_item(db.uow(), actor=member, signal_id=signal.id)
    assert item.title == "Introducing instant virtual cards for every customer"
    assert "Market signal from Rival" in item.description
    assert "https://blog.rivalbank.example.com/2026/11/instant-virtual-cards" in item.description
    services.set_state(db.uow(), actor=member, signal_id=signal.id, state="dismissed")
    view = queries.signals_view(
        db.reader(), actor=member, product_id=pid,
        filters=queries.Filters(states=("dismissed",)), now=datetime.now(UTC),
    )  # fmt: skip
    [shown] = view.market
    assert shown.opportunity == "Faster card issuing (opportunity)"
    assert shown.item_title == item.title and shown.feed_kind == "competitor"
    assert view.counts == {"new": 0, "watching": 0, "dismissed": 1}
    with db.reader() as uow:
        actions = list(
            uow.session.scalars(select(ActivityEntry.action).where(ActivityEntry.product_id == pid))
        )
    for action in ("signals.entries.matched", "signals.signal.linked", "signals.signal.converted",
                   "signals.signal.triaged", "backlog.item.created"):  # fmt: skip
        assert action in actions


def test_bad_signal_input_writes_nothing(db: Database, feed_server: FeedServer) -> None:
    po, pid, member = _setup(db)
    signal = _one_signal(db, feed_server, po, pid)
    solution = _opportunity(db, pid, kind="solution")
    other_pid = products.create_product(db.uow(), actor=po, name="Other").id
    elsewhere = _opportunity(db, other_pid)
    for node in (solution, elsewhere):
        with pytest.raises(Invalid) as caught:
            services.link_opportunity(
                db.uow(), actor=member, signal_id=signal.id, opportunity_id=node
            )
        assert "opportunity_id" in caught.value.fields
    with pytest.raises(Invalid):
        services.set_state(db.uow(), actor=member, signal_id=signal.id, state="archived")
    viewer = make_user(db, "viewer@example.org")
    products.add_member(db.uow(), product_id=pid, actor=po, email=viewer.email, role="viewer")
    with pytest.raises(Forbidden):
        services.make_item(db.uow(), actor=actor(viewer), signal_id=signal.id)
    [after] = _rows(db, MarketSignal)
    assert (after.state, after.opportunity_id, after.item_id) == ("new", None, None)
    assert _count(db, Item) == 0


def test_bad_feed_and_watchlist_input_is_refused_and_writes_nothing(db: Database) -> None:
    po, pid, member = _setup(db)
    _feed(db, po, pid, "Regulator", "https://regulator.example.org/rss")
    before = (_count(db, Feed), _count(db, Watchlist), _count(db, ActivityEntry))
    with pytest.raises(Conflict) as dup:
        _feed(db, po, pid, "Again", "https://regulator.example.org/rss")
    assert "url" in dup.value.fields
    with pytest.raises(Invalid) as bad:
        _feed(db, po, pid, "Bad", "regulator.example.org/rss")
    assert "url" in bad.value.fields
    with pytest.raises(Invalid) as empty:
        services.create_watchlist(db.uow(), actor=po, product_id=pid, name="", keywords=" \n ,")
    assert set(empty.value.fields) == {"name", "keywords"}
    with pytest.raises(Forbidden):
        _feed(db, member, pid, "Mine", "https://member.example.org/rss")
    with pytest.raises(Forbidden):
        services.fetch_feeds(db, actor=member, product_id=pid)
    with pytest.raises(Forbidden):
        services.fetch_feeds(db, actor=po)  # every product: administrators only
    assert (_count(db, Feed), _count(db, Watchlist), _count(db, ActivityEntry)) == before


def test_paused_feeds_are_not_fetched_and_deleting_a_feed_drops_its_signals(
    db: Database, feed_server: FeedServer
) -> None:
    po, pid, _member = _setup(db)
    signal = _one_signal(db, feed_server, po, pid)
    feed_id = _rows(db, Feed)[0].id
    services.update_feed(db.uow(), actor=po, feed_id=feed_id, values={"active": False})
    calls = len(feed_server.requests)
    assert services.fetch_feeds(db, actor=CLI_ACTOR) == []
    assert len(feed_server.requests) == calls
    services.delete_feed(db.uow(), actor=po, feed_id=feed_id)
    assert _rows(db, MarketSignal, MarketSignal.id == signal.id) == []
    assert _count(db, FeedEntry) == 0


# --- trends -----------------------------------------------------------------------------------


def _theme_with(db: Database, pid: int, label: str, per_week: list[int], now: datetime) -> int:
    """A theme whose feedback arrived `per_week[i]` times in week i (oldest first)."""
    with db.uow() as uow:
        theme = Theme(product_id=pid, label=label)
        uow.add(theme)
        uow.flush()
        weeks = len(per_week)
        for i, n in enumerate(per_week):
            for j in range(n):
                at = now - timedelta(weeks=weeks - i) + timedelta(hours=1 + j)
                fb = Feedback(product_id=pid, text=f"{label} {i}.{j}", received_at=at)
                uow.add(fb)
                uow.flush()
                uow.add(ThemeMember(feedback_id=fb.id, theme_id=theme.id))
        uow.commit()
        return theme.id


def test_weekly_counts_and_the_trend_of_themes(db: Database) -> None:
    po, pid, _member = _setup(db)
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    steady = _theme_with(db, pid, "Export to CSV", [2] * 26, now)
    growing = _theme_with(db, pid, "Instant card freeze", [1, 0] * 11 + [0, 6, 8, 11], now)
    quiet = _theme_with(db, pid, "Dark mode", [0] * 26, now)
    with db.reader() as uow:
        counts = queries.weekly_counts(uow, pid, now=now)
    assert counts[steady] == [2] * 26
    assert counts[growing] == [1, 0] * 11 + [0, 6, 8, 11]
    assert counts[quiet] == [0] * 26
    view = queries.signals_view(
        db.reader(), actor=po, product_id=pid, filters=queries.Filters(), now=now
    )
    first = view.trends[0]
    assert (first.theme_id, first.label, first.trend.emerging) == (
        growing,
        "Instant card freeze",
        True,
    )
    assert not any(r.trend.emerging or r.trend.accelerating for r in view.trends[1:])
    assert len(view.week_ends) == 26 and view.week_ends[-1] == now.date()


def test_the_demo_seeds_signals_without_the_network(db: Database) -> None:
    from jalon.signals.demo import seed_signals

    po, pid, _member = _setup(db)
    node = _opportunity(db, pid)
    ids = seed_signals(db, po, pid)
    signals = _rows(db, MarketSignal)
    assert [s.id for s in signals] == ids and len(ids) == 7
    assert signals[0].opportunity_id == node and signals[0].state == "watching"
    assert [s.state for s in signals].count("dismissed") == 1
    assert all(not f.active and f.error_code == "" for f in _rows(db, Feed))
    assert services.fetch_feeds(db, actor=CLI_ACTOR) == []  # paused: nothing is fetched


def _statements(db: Database, pid: int, po: Actor) -> int:
    from sqlalchemy import event

    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        queries.signals_view(
            db.reader(), actor=po, product_id=pid, filters=queries.Filters(states=("new",)),
            now=datetime.now(UTC),
        )  # fmt: skip
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_signals_page_reads_in_a_bounded_number_of_queries(db: Database) -> None:
    po, pid, _member = _setup(db)
    services.create_watchlist(db.uow(), actor=po, product_id=pid, name="W", keywords="cards")
    feed_id = _feed(db, po, pid, "Rival", "https://rival.example.com/feed")

    def publish(n: int, start: int) -> None:
        entries = tuple(
            feeds.Entry(f"k{i}", f"Cards news {i}", "", "", None) for i in range(start, start + n)
        )
        services.record_fetch(
            db.uow(), feed_id=feed_id, fetched=feeds.Fetched(entries=entries),
            now=datetime.now(UTC),
        )  # fmt: skip

    publish(2, 0)
    few = _statements(db, pid, po)
    publish(40, 2)
    assert _count(db, MarketSignal) == 42
    assert _statements(db, pid, po) == few
