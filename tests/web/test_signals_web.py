"""Signals over HTTP: the API (per-field errors, filters, triage, feeds, watchlists) and the
pages (signals with trend charts, triage with and without HTMX, feeds and watchlists with a
broken feed's own error, "Fetch now")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jalon.accounts import services as accounts
from jalon.backlog.models import Item
from jalon.discovery.models import TreeNode
from jalon.feedback.models import Feedback
from jalon.signals.models import MarketSignal
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import Database
from tests.integration.test_signals_watch import FeedServer, closed_port
from tests.support.helpers import actor, csrf, make_user, sign_in


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _product(api: TestClient) -> int:
    return int(api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _watch(api: TestClient, feed_server: FeedServer, pid: int) -> None:
    """A competitor feed and a watchlist, fetched through the page's "Fetch now"."""
    r = api.post(
        f"/api/v1/products/{pid}/feeds",
        json={"name": "Rival", "url": feed_server.url("/competitor.atom"), "kind": "competitor"},
    )
    assert r.status_code == 201, r.text
    r = api.post(
        f"/api/v1/products/{pid}/watchlists",
        json={"name": "Cards", "keywords": ["virtual cards", "open banking"]},
    )
    assert r.status_code == 201, r.text


def test_api_feeds_watchlists_and_signals(
    api: TestClient, db: Database, feed_server: FeedServer
) -> None:
    pid = _product(api)
    _watch(api, feed_server, pid)
    broken = api.post(
        f"/api/v1/products/{pid}/feeds",
        json={"name": "Down", "url": f"http://127.0.0.1:{closed_port()}/rss"},
    ).json()
    assert broken["error"] is None and broken["last_fetched_at"] is None
    fetched = api.post(f"/products/{pid}/watch/fetch", follow_redirects=False)
    assert fetched.status_code == 303  # the bearer token is enough, no CSRF token
    assert "new=3" in fetched.headers["location"] and "signals=2" in fetched.headers["location"]
    feeds = {f["name"]: f for f in api.get(f"/api/v1/products/{pid}/feeds").json()}
    assert feeds["Down"]["error"]["code"] == "unreachable"
    assert "could not be reached" in feeds["Down"]["error"]["message"]
    assert feeds["Rival"]["error"] is None and feeds["Rival"]["last_ok_at"]
    body = api.get(f"/api/v1/products/{pid}/signals").json()
    assert body["trends"] == [] and len(body["weeks"]) == 26
    titles = [s["title"] for s in body["market"]]
    assert titles == [
        "Our API is now compliant with the open banking standard",
        "Introducing instant virtual cards for every customer",
    ]
    first = body["market"][0]
    assert first["feed_kind"] == "competitor" and first["matched"] == ["open banking"]
    # Triage and link through PATCH; the filters follow.
    with db.uow() as uow:
        node = TreeNode(product_id=pid, kind="opportunity", title="Open up to partners")
        uow.add(node)
        uow.commit()
    patched = api.patch(
        f"/api/v1/signals/{first['id']}", json={"opportunity_id": node.id, "state": "dismissed"}
    ).json()
    assert (patched["state"], patched["opportunity"]) == ("dismissed", "Open up to partners")
    assert len(api.get(f"/api/v1/products/{pid}/signals").json()["market"]) == 1
    dismissed = api.get(f"/api/v1/products/{pid}/signals?state=dismissed").json()["market"]
    assert [s["id"] for s in dismissed] == [first["id"]]
    assert api.get(f"/api/v1/products/{pid}/signals?kind=regulator").json()["market"] == []
    page = api.get(f"/api/v1/products/{pid}/signals?state=all&limit=1").json()
    more = api.get(f"/api/v1/products/{pid}/signals?state=all&before_id={page['next_before_id']}")
    assert len(page["market"]) == 1 and len(more.json()["market"]) == 1


def test_api_refuses_bad_input_per_field(api: TestClient) -> None:
    pid = _product(api)
    url = f"/api/v1/products/{pid}/feeds"
    assert api.post(url, json={"name": "A", "url": "https://a.example/rss"}).status_code == 201
    dup = api.post(url, json={"name": "B", "url": "https://a.example/rss"})
    assert dup.status_code == 409 and "url" in dup.json()["error"]["fields"]
    bad = api.post(url, json={"name": "", "url": "a.example/rss", "kind": "gossip"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"name", "url", "kind"}
    empty = api.post(f"/api/v1/products/{pid}/watchlists", json={"name": "W", "keywords": [" "]})
    assert empty.status_code == 422 and "keywords" in empty.json()["error"]["fields"]
    state = api.get(f"/api/v1/products/{pid}/signals?state=archived")
    assert state.status_code == 422 and "state" in state.json()["error"]["fields"]
    assert len(api.get(url).json()) == 1
    assert api.get(f"/api/v1/products/{pid}/watchlists").json() == []


def test_the_signals_page_triages_with_and_without_htmx(
    api: TestClient, db: Database, feed_server: FeedServer
) -> None:
    pid = _product(api)
    _watch(api, feed_server, pid)
    api.post(f"/products/{pid}/watch/fetch")
    del api.headers["Authorization"]
    token = sign_in(api, "po@example.org")
    page = api.get(f"/products/{pid}/signals")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Introducing instant virtual cards for every customer" in text
    assert "Rival · Competitor" in text and "No theme yet" in text
    signal_id = max(int(i) for i in re.findall(r'id="signal-(\d+)"', page.text))
    fragment = api.post(
        f"/signals/{signal_id}/state",
        data={"state": "watching"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<li")
    assert "Watching" in fragment.text and "<html" not in fragment.text
    plain = api.post(
        f"/signals/{signal_id}/state",
        data={"state": "dismissed", "csrf_token": token},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"/products/{pid}/signals"
    made = api.post(
        f"/signals/{signal_id}/item", data={"csrf_token": token}, follow_redirects=False
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/items/")
    with db.reader() as uow:
        signal = uow.session.get(MarketSignal, signal_id)
        assert signal is not None and signal.state == "dismissed" and signal.item_id
        item = uow.session.get(Item, signal.item_id)
        assert item is not None and item.title.startswith("Our API is now compliant")


def test_the_watch_page_shows_each_broken_feed_with_its_own_error(
    client: TestClient, db: Database, feed_server: FeedServer
) -> None:
    make_user(db, "po@example.org")
    token = sign_in(client, "po@example.org")
    pid = int(
        client.post("/api/v1/products", json={"name": "Atlas"}, headers={"X-CSRF-Token": token})
        .json()["id"]
    )  # fmt: skip
    feeds = {
        "Regulator": feed_server.url("/regulator.xml"),
        "Old address": feed_server.url("/gone.xml"),
        "Home page": feed_server.url("/home.html"),
    }
    for name, url in feeds.items():
        r = client.post(
            f"/products/{pid}/feeds",
            data={"name": name, "url": url, "kind": "regulator", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    bad = client.post(
        f"/products/{pid}/feeds",
        data={"name": "Bad", "url": "not a url", "kind": "other", "csrf_token": token},
    )
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert "starting with http:// or https://" in _text(bad.text)
    empty = client.post(
        f"/products/{pid}/watchlists", data={"name": "", "keywords": "", "csrf_token": token}
    )
    assert empty.status_code == 422 and "Give at least one keyword." in _text(empty.text)
    client.post(
        f"/products/{pid}/watchlists",
        data={"name": "Rules", "keywords": "réglementation\nopen banking", "csrf_token": token},
    )
    done = client.post(f"/products/{pid}/watch/fetch", data={"csrf_token": token})
    text = _text(done.text)
    assert "The feeds were fetched: 3 new entries, 2 new signals." in text
    assert "The server answered HTTP 404 Not Found instead of the feed." in text
    assert "This address does not give an RSS or Atom feed (line 4: mismatched tag)." in text
    assert text.count("Failed:") == 2
    signals = _text(client.get(f"/products/{pid}/signals").text)
    assert "2 of 3 feeds failed at their last fetch." in signals
    assert "Consultation publique sur l'open banking" in signals


def _themes(db: Database, pid: int, now: datetime) -> None:
    weeks = {"Instant card freeze": [1, 0] * 11 + [0, 6, 8, 11], "Export to CSV": [2] * 26}
    with db.uow() as uow:
        for label, counts in weeks.items():
            theme = Theme(product_id=pid, label=label)
            uow.add(theme)
            uow.flush()
            for i, n in enumerate(counts):
                for j in range(n):
                    at = now - timedelta(weeks=26 - i, hours=-1 - j)
                    fb = Feedback(product_id=pid, text=f"{label} {i}", received_at=at)
                    uow.add(fb)
                    uow.flush()
                    uow.add(ThemeMember(feedback_id=fb.id, theme_id=theme.id))
        uow.commit()


def test_emerging_themes_show_with_their_chart(api: TestClient, db: Database) -> None:
    pid = _product(api)
    _themes(db, pid, datetime.now(UTC))
    body = api.get(f"/api/v1/products/{pid}/signals").json()
    assert [t["label"] for t in body["trends"]] == ["Instant card freeze"]
    trend = body["trends"][0]
    assert trend["emerging"] and trend["recent"] == 25 and trend["q_emerging"] < 0.05
    everything = api.get(f"/api/v1/products/{pid}/signals?flagged_only=false").json()["trends"]
    assert {t["label"] for t in everything} == {"Instant card freeze", "Export to CSV"}
    del api.headers["Authorization"]
    sign_in(api, "po@example.org")
    page = api.get(f"/products/{pid}/signals").text
    assert 'data-chart="theme-' in page and "<svg" in page
    assert "Emerging" in _text(page) and "25 feedback in the last 3 weeks" in _text(page)
    csrf(api)  # the page still answers after the charts


def test_a_viewer_sees_signals_but_no_forms(api: TestClient, db: Database) -> None:
    pid = _product(api)
    viewer = make_user(db, "viewer@example.org")
    api.post(f"/api/v1/products/{pid}/members", json={"email": viewer.email, "role": "viewer"})
    del api.headers["Authorization"]
    sign_in(api, "viewer@example.org")
    page = api.get(f"/products/{pid}/watch")
    assert page.status_code == 200 and "Follow the feed" not in page.text
    with db.reader() as uow:
        assert uow.session.scalars(select(MarketSignal)).all() == []
