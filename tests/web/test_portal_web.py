"""The portal over HTTP: anonymous visitors on the public pages (CSRF, honeypot, rate
limits, votes with the signed cookie), the team's pages (settings, moderation, an idea)
and the API."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jalon.accounts import services as accounts
from jalon.feedback.models import Feedback
from jalon.permissions import Actor
from jalon.portal import rules, services
from jalon.portal.models import Idea
from jalon.portal.visitor import pages as public_pages
from jalon.portal.visitor import services as visitor
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, csrf, make_user, sign_in

TOKEN_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def po(db: Database) -> Actor:
    return actor(make_user(db, "po@example.org", name="Camille"))


@pytest.fixture
def pid(db: Database, po: Actor) -> int:
    product = products.create_product(db.uow(), actor=po, name="Atlas")
    services.update_settings(
        db.uow(), actor=po, product_id=product.id, enabled=True, slug="atlas",
        welcome="Tell us **what you need**.",
    )  # fmt: skip
    return product.id


def _token(client: TestClient, url: str = "/portal/atlas") -> str:
    match = TOKEN_RE.search(client.get(url).text)
    assert match, "no CSRF token on the portal"
    return match.group(1)


def _idea(db: Database, po: Actor, pid: int, title: str = "Dark mode please") -> int:
    idea = visitor.submit_idea(db.uow(), slug="atlas", title=title, client="seed")
    assert idea is not None
    services.moderate(db.uow(), actor=po, product_id=pid, idea_ids=[idea.id], decision="approve")
    return idea.id


def test_an_anonymous_visitor_reads_and_submits_without_an_account(
    client: TestClient, db: Database, pid: int
) -> None:
    page = client.get("/portal/atlas")
    assert page.status_code == 200
    assert "<strong>what you need</strong>" in page.text  # the welcome text, as Markdown
    assert 'href="/products' not in page.text  # no app navigation on the public pages
    token = _token(client)
    r = client.post("/portal/atlas/ideas", data={"title": "Export to CSV", "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/portal/atlas?submitted=1")
    thanks = client.get(r.headers["location"])
    assert "Your idea will appear here once the team has read it." in unescape(thanks.text)
    assert "Export to CSV" not in thanks.text  # it waits for moderation


def test_public_forms_need_the_csrf_token(client: TestClient, db: Database, pid: int) -> None:
    client.get("/portal/atlas")
    r = client.post("/portal/atlas/ideas", data={"title": "Export to CSV"})
    assert r.status_code == 403


def test_a_bad_submission_shows_the_form_again(client: TestClient, pid: int) -> None:
    token = _token(client)
    r = client.post("/portal/atlas/ideas", data={"title": "Hi", "email": "x", "csrf_token": token})
    assert r.status_code == 422
    assert 'id="e-title"' in r.text and 'id="e-email"' in r.text
    assert 'value="x"' in r.text  # what was typed is kept


def test_the_honeypot_answers_like_success_and_stores_nothing(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    token = _token(client)
    form = {"title": "Cheap watches", "website": "http://spam.example", "csrf_token": token}
    r = client.post("/portal/atlas/ideas", data=form, follow_redirects=False)
    assert r.status_code == 303
    with db.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Idea)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_too_many_submissions_answer_429_with_retry_after(client: TestClient, pid: int) -> None:
    token = _token(client)
    for n in range(rules.LIMITS["submit"][0]):
        form = {"title": f"Idea {n} here", "csrf_token": token}
        ok = client.post("/portal/atlas/ideas", data=form, follow_redirects=False)
        assert ok.status_code == 303
    r = client.post("/portal/atlas/ideas", data={"title": "Once more", "csrf_token": token})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert "going a little fast" in r.text


def test_a_closed_portal_does_not_exist(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    idea_id = _idea(db, po, pid)
    services.update_settings(db.uow(), actor=po, product_id=pid, enabled=False, slug="atlas")
    assert client.get("/portal/atlas").status_code == 404
    assert client.get(f"/portal/atlas/ideas/{idea_id}").status_code == 404
    assert client.get("/portal/nowhere").status_code == 404


def _votes(client: TestClient, idea_id: int) -> str:
    text = client.get(f"/portal/atlas/ideas/{idea_id}").text
    match = re.search(r'id="vote-total"><span class="vote-count"><strong>(\d+)</strong>', text)
    assert match, "no vote count"
    return match.group(1)


def test_a_visitor_votes_once_and_withdraws(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    idea_id = _idea(db, po, pid)
    token = _token(client, f"/portal/atlas/ideas/{idea_id}")
    assert _votes(client, idea_id) == "0"
    r = client.post(f"/portal/atlas/ideas/{idea_id}/vote", data={"csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    cookie = client.cookies[public_pages.VOTER_COOKIE]
    assert rules.read_voter(cookie, client.app.state.settings.secret_key)  # type: ignore[attr-defined]
    client.post(f"/portal/atlas/ideas/{idea_id}/vote", data={"csrf_token": token})
    assert _votes(client, idea_id) == "1"
    assert "Withdraw my vote" in client.get(f"/portal/atlas/ideas/{idea_id}").text
    client.post(f"/portal/atlas/ideas/{idea_id}/unvote", data={"csrf_token": token})
    assert _votes(client, idea_id) == "0"


def test_a_forged_voter_cookie_is_a_new_visitor(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    idea_id = _idea(db, po, pid)
    visitor.vote(db.uow(), slug="atlas", idea_id=idea_id, voter="someone")
    token = _token(client, f"/portal/atlas/ideas/{idea_id}")
    client.cookies.set(public_pages.VOTER_COOKIE, "someone.0000", domain="testserver.local")
    client.post(f"/portal/atlas/ideas/{idea_id}/unvote", data={"csrf_token": token})
    assert _votes(client, idea_id) == "1"  # someone's vote stays


def test_comments_are_published_and_the_team_can_hide_them(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    idea_id = _idea(db, po, pid)
    token = _token(client, f"/portal/atlas/ideas/{idea_id}")
    client.post(f"/portal/atlas/ideas/{idea_id}/comments",
                data={"body": "Yes, at night!", "name": "Léa", "csrf_token": token})  # fmt: skip
    assert "Yes, at night!" in client.get(f"/portal/atlas/ideas/{idea_id}").text
    token = sign_in(client, "po@example.org")
    page = client.get(f"/ideas/{idea_id}").text
    comment_id = re.search(r'action="/idea-comments/(\d+)/hide"', page).group(1)  # type: ignore[union-attr]
    client.post(f"/idea-comments/{comment_id}/hide", data={"hidden": "yes", "csrf_token": token})
    assert "Yes, at night!" not in client.get(f"/portal/atlas/ideas/{idea_id}").text


def test_the_po_approves_from_the_queue_in_bulk(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    ids = []
    for title in ("Offline mode", "Bulk export"):
        made = visitor.submit_idea(db.uow(), slug="atlas", title=title, client="c")
        assert made is not None
        ids.append(str(made.id))
    token = sign_in(client, "po@example.org")
    queue = client.get(f"/products/{pid}/portal/moderation").text
    assert "Offline mode" in queue and "Bulk export" in queue
    r = client.post(f"/products/{pid}/portal/moderation",
                    data={"idea_id": ids, "decision": "approve", "csrf_token": token})  # fmt: skip
    assert "Ideas approved: 2." in r.text
    public = client.get("/portal/atlas").text
    assert "Offline mode" in public and "Bulk export" in public
    nothing = client.post(f"/products/{pid}/portal/moderation",
                          data={"decision": "approve", "csrf_token": token})  # fmt: skip
    assert nothing.status_code == 422 and "Tick at least one idea." in nothing.text


def test_a_merged_idea_redirects_to_its_survivor(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    keep, dupe = _idea(db, po, pid, "Dark mode please"), _idea(db, po, pid, "Night theme")
    token = sign_in(client, "po@example.org")
    r = client.post(f"/ideas/{dupe}/merge", data={"into_id": str(keep), "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.headers["location"] == f"/ideas/{keep}"
    moved = client.get(f"/portal/atlas/ideas/{dupe}", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/portal/atlas/ideas/{keep}"


def test_the_similar_panel_suggests_voting(
    client: TestClient, db: Database, po: Actor, pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    idea_id = _idea(db, po, pid)
    with db.reader() as uow:
        feedback_id = uow.session.get(Idea, idea_id).feedback_id  # type: ignore[union-attr]
    monkeypatch.setattr("jalon.themes.placement.similar", lambda *a, **k: [(feedback_id, 0.8)])
    r = client.get("/portal/atlas/similar", params={"title": "dark theme"},
                   headers={"HX-Request": "true"})  # fmt: skip
    assert "Similar ideas already exist." in r.text
    assert f'href="/portal/atlas/ideas/{idea_id}"' in r.text
    assert "<html" not in r.text  # a fragment
    assert client.get("/portal/atlas/similar", params={"title": "dar"}).text.strip() == ""


def test_the_po_saves_settings_and_sees_field_errors(
    client: TestClient, db: Database, pid: int
) -> None:
    token = sign_in(client, "po@example.org")
    form = {
        "options": ["enabled"],
        "slug": "Bad Slug",
        "shown_statuses": ["planned"],
        "csrf_token": token,
    }
    r = client.post(f"/products/{pid}/portal/settings", data=form)
    assert r.status_code == 422 and 'id="e-slug"' in r.text
    form["slug"] = "atlas-ideas"
    r = client.post(f"/products/{pid}/portal/settings", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/portal/atlas-ideas").status_code == 200
    assert client.get("/portal/atlas").status_code == 404


def test_status_and_link_forms_on_the_idea_page(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    idea_id = _idea(db, po, pid)
    token = sign_in(client, "po@example.org")
    client.post(f"/ideas/{idea_id}/status", data={"status": "planned", "csrf_token": token})
    assert "Planned" in client.get(f"/portal/atlas/ideas/{idea_id}").text
    r = client.post(f"/ideas/{idea_id}/link", data={"item_id": "999999", "csrf_token": token})
    assert r.status_code == 422 and "Choose an item of this product" in unescape(r.text)


def test_the_api_lists_ideas_for_members(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    idea_id = _idea(db, po, pid)
    visitor.vote(db.uow(), slug="atlas", idea_id=idea_id, voter="v")
    _t, raw = accounts.create_api_token(db.uow(), actor=po, name="t")
    r = client.get(f"/api/v1/products/{pid}/ideas", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200
    [idea] = r.json()
    assert (idea["id"], idea["votes"], idea["status"]) == (idea_id, 1, "under_review")
    assert idea["url"] == f"/portal/atlas/ideas/{idea_id}"
    pending = client.get(f"/api/v1/products/{pid}/ideas?state=pending",
                         headers={"Authorization": f"Bearer {raw}"})  # fmt: skip
    assert pending.json() == []
    bad = client.get(f"/api/v1/products/{pid}/ideas?state=nope",
                     headers={"Authorization": f"Bearer {raw}"})  # fmt: skip
    assert bad.status_code == 422
    csrf(client)
    assert client.get(f"/api/v1/products/{pid}/ideas").status_code == 401


def test_the_team_adds_ideas_and_the_po_sets_status_and_link_by_api(
    client: TestClient, db: Database, po: Actor, pid: int
) -> None:
    _t, raw = accounts.create_api_token(db.uow(), actor=po, name="t")
    auth = {"Authorization": f"Bearer {raw}"}
    r = client.post(f"/api/v1/products/{pid}/ideas", headers=auth,
                    json={"title": "Night shuttle", "author_name": "Sanofi"})  # fmt: skip
    assert r.status_code == 201, r.text
    idea = r.json()
    assert (idea["state"], idea["status"], idea["author_name"]) == (
        "published",
        "under_review",
        "Sanofi",
    )
    assert "Night shuttle" in client.get("/portal/atlas").text
    item = client.post(f"/api/v1/products/{pid}/items", headers=auth, json={"title": "Shuttle"})
    item_id = item.json()["id"]
    bad = client.patch(f"/api/v1/ideas/{idea['id']}", headers=auth,
                       json={"status": "planned", "item_id": 999999})  # fmt: skip
    assert bad.status_code == 422 and "item_id" in bad.json()["error"]["fields"]
    assert client.get(f"/api/v1/products/{pid}/ideas", headers=auth).json()[0]["status"] == (
        "under_review"  # all or nothing: the status did not change either
    )
    ok = client.patch(f"/api/v1/ideas/{idea['id']}", headers=auth,
                      json={"status": "declined", "item_id": item_id})  # fmt: skip
    assert (ok.json()["status"], ok.json()["item_id"]) == ("declined", item_id)
    client.patch(f"/api/v1/items/{item_id}", headers=auth, json={"status": "in_progress"})
    got = client.get(f"/api/v1/products/{pid}/ideas", headers=auth).json()[0]
    assert got["status"] == "in_progress"  # the item decides now
    short = client.post(f"/api/v1/products/{pid}/ideas", headers=auth, json={"title": "Hm"})
    assert short.status_code == 422 and "title" in short.json()["error"]["fields"]
