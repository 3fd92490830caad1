"""Refinement and collaboration over HTTP: the API (settings, ticks, links, ETag / If-Match,
the DoD warning, notifications) and the pages (item, conflict, settings, bell)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in

WORKFLOW = [
    {"key": "new", "label": "New", "category": "todo"},
    {"key": "review", "label": "In review", "category": "doing"},
    {"key": "done", "label": "Done", "category": "done"},
]


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _product(api: TestClient) -> int:
    return int(api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"])


def _item(api: TestClient, pid: int, title: str = "Story", **extra: Any) -> dict[str, Any]:
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": title, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _put_settings(api: TestClient, pid: int, **extra: Any) -> Any:
    body = {
        "statuses": WORKFLOW,
        "scale": "fibonacci",
        "definition_of_ready": ["Estimated", "Has criteria"],
        "definition_of_done": ["Tested", "Documented"],
        **extra,
    }
    return api.put(f"/api/v1/products/{pid}/backlog-settings", json=body)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- API ------------------------------------------------------------------------------------


def test_settings_api(api: TestClient) -> None:
    pid = _product(api)
    got = api.get(f"/api/v1/products/{pid}/backlog-settings").json()
    assert [s["key"] for s in got["statuses"]] == [
        "new",
        "ready",
        "in_progress",
        "done",
        "rejected",
    ]
    assert got["scale"] == "fibonacci" and got["definition_of_done"] == []
    r = _put_settings(api, pid, statuses=[*WORKFLOW, {"label": "Won't do", "category": "rejected"}])
    assert r.status_code == 200, r.text
    assert [s["key"] for s in r.json()["statuses"]] == ["new", "review", "done", "won_t_do"]
    _item(api, pid, status="review")
    refused = _put_settings(api, pid, statuses=[WORKFLOW[0], WORKFLOW[2]])
    assert refused.status_code == 409
    assert "In review" in refused.json()["error"]["message"]
    moved = _put_settings(api, pid, statuses=[WORKFLOW[0], WORKFLOW[2]], move_items_to="new")
    assert moved.status_code == 200
    assert {s["key"]: s["items"] for s in moved.json()["statuses"]} == {"new": 1, "done": 0}
    bad = _put_settings(api, pid, statuses=[WORKFLOW[0]], scale="dice")
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"statuses", "scale"}


def test_etag_if_match_and_412(api: TestClient) -> None:
    pid = _product(api)
    item = _item(api, pid, "Export to CSV")
    url = f"/api/v1/items/{item['id']}"
    etag = api.get(url).headers["etag"]
    assert etag == '"1"'
    first = api.patch(url, json={"title": "Export to CSV and JSON"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    second = api.patch(url, json={"title": "Mine"}, headers={"If-Match": etag})  # stale
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    assert api.get(url).json()["title"] == "Export to CSV and JSON"  # nothing overwritten
    weak = api.patch(url, json={"title": "Mine"}, headers={"If-Match": 'W/"2"'})
    assert weak.status_code == 200 and weak.json()["version"] == 3
    assert api.patch(url, json={"title": "Any"}, headers={"If-Match": "*"}).status_code == 200


def test_a_move_to_done_answers_a_warning(api: TestClient) -> None:
    pid = _product(api)
    _put_settings(api, pid)
    item = _item(api, pid)
    url = f"/api/v1/items/{item['id']}"
    checks = api.put(f"{url}/checks", json={"done": ["Tested"], "ready": ["Estimated"]})
    assert checks.status_code == 200
    body = checks.json()
    assert body["done"] == {
        "entries": ["Tested", "Documented"],
        "ticked": ["Tested"],
        "met": False,
        "missing": ["Documented"],
    }
    assert body["ready"]["missing"] == ["Has criteria"]
    r = api.patch(url, json={"status": "done"})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert r.json()["warnings"] == [
        "The Definition of Done is not met; still unticked: Documented."
    ]
    assert api.patch(url, json={"title": "Renamed"}).json()["warnings"] == []
    bad = api.put(f"{url}/checks", json={"ready": [], "done": ["Nope"]})
    assert bad.status_code == 422
    assert api.get(f"{url}/checks").json()["ready"]["ticked"] == ["Estimated"]  # all or nothing


def test_links_api(api: TestClient) -> None:
    pid = _product(api)
    a, b = _item(api, pid, "A")["id"], _item(api, pid, "B")["id"]
    r = api.post(f"/api/v1/items/{a}/links", json={"kind": "blocks", "to_id": b})
    assert r.status_code == 201
    assert [(li["label"], li["other_id"]) for li in r.json()] == [("Blocks", b)]
    back = api.get(f"/api/v1/items/{b}/links").json()
    assert [(li["label"], li["from_id"], li["to_id"]) for li in back] == [("Blocked by", a, b)]
    again = api.post(f"/api/v1/items/{b}/links", json={"kind": "blocked_by", "to_id": a})
    assert again.status_code == 422 and "to_id" in again.json()["error"]["fields"]
    assert api.post(f"/api/v1/items/{a}/links", json={"kind": "x", "to_id": b}).status_code == 422
    gone = api.delete(f"/api/v1/items/{b}/links/{back[0]['id']}")
    assert gone.status_code == 204 and api.get(f"/api/v1/items/{a}/links").json() == []


def test_notifications_api(api: TestClient, db: Database) -> None:
    pid = _product(api)
    dev = make_user(db, "dev@example.org", name="Yanis")
    api.post(f"/api/v1/products/{pid}/members", json={"email": dev.email, "role": "member"})
    item = _item(api, pid, "Dark mode")
    comment = api.post(f"/api/v1/items/{item['id']}/comments", json={"body": "@dev please"})
    assert comment.status_code == 201
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(dev), name="dev")
    as_dev = {"Authorization": f"Bearer {raw}"}
    notes = api.get("/api/v1/notifications", headers=as_dev).json()
    assert [(n["by"], n["item_title"], n["comment_id"]) for n in notes] == [
        ("Camille", "Dark mode", comment.json()["id"])
    ]
    assert api.get("/api/v1/notifications").json() == []  # the author is not notified
    read = api.post(f"/api/v1/notifications/{notes[0]['id']}/read", headers=as_dev)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert api.get("/api/v1/notifications?unread=true", headers=as_dev).json() == []
    assert api.post(f"/api/v1/notifications/{notes[0]['id']}/read").status_code == 404
    assert api.post("/api/v1/notifications/read-all", headers=as_dev).json() == {"marked": 0}


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def po(client: TestClient, db: Database) -> tuple[TestClient, str, int]:
    owner = make_user(db, "po@example.org", name="Paula")
    pid = products.create_product(db.uow(), actor=actor(owner), name="Atlas").id
    return client, sign_in(client, "po@example.org"), pid


def _new_item(client: TestClient, token: str, pid: int, title: str) -> int:
    r = client.post(
        f"/products/{pid}/backlog",
        data={"title": title, "type": "story", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    found = re.findall(r'href="/items/(\d+)"', client.get(f"/products/{pid}/backlog").text)
    return int(found[-1])


def _form(item_id: int, token: str, version: int, **values: str) -> dict[str, str]:
    base = {"title": "Export", "type": "story", "status": "new", "csrf_token": token}
    return {**base, "version": str(version), **values}


def test_the_conflict_page_shows_both_versions_and_keeps_the_typed_text(
    po: tuple[TestClient, str, int],
) -> None:
    client, token, pid = po
    item = _new_item(client, token, pid, "Export")
    theirs = _form(item, token, 1, description="Their text", title="Export to CSV")
    assert (
        client.post(f"/items/{item}/edit", data=theirs, follow_redirects=False).status_code == 303
    )
    mine = _form(item, token, 1, description="My long text\nwith two lines", tags="csv, Export")
    r = client.post(f"/items/{item}/edit", data=mine, follow_redirects=False)
    assert r.status_code == 412
    page = r.text
    assert "Someone else changed this item while you were editing it" in page
    assert "Last saved by Paula" in page
    table = page[page.index('class="versions"') : page.index("</table>")]
    assert 'data-field="title"' in table and 'data-field="description"' in table
    assert "Export to CSV" in table and "Their text" in table and "My long text" in table
    assert 'data-field="status"' not in table  # the same in both: not among the differences
    # the typed text is kept in the form, with the new version to save over
    assert ">My long text\nwith two lines</textarea>" in page
    assert 'name="tags" type="text" value="csv, Export"' in page
    assert 'name="version" value="2"' in page
    again = client.post(
        f"/items/{item}/edit", data={**mine, "version": "2"}, follow_redirects=False
    )
    assert again.status_code == 303
    shown = client.get(f"/items/{item}").text
    assert "My long text" in shown and "Their text" not in shown


def test_the_item_page_shows_scenarios_hints_ticks_and_warnings(
    po: tuple[TestClient, str, int],
) -> None:
    client, token, pid = po
    settings = {
        "csrf_token": token, "status_key": ["new", "done", ""],
        "status_label": ["New", "Done", ""], "status_category": ["todo", "done", "doing"],
        "scale": "tshirt", "ready": ["Estimated", ""], "done": ["Tested", ""], "op": "save",
    }  # fmt: skip
    r = client.post(f"/products/{pid}/backlog-settings", data=settings, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?saved=1")
    item = _new_item(client, token, pid, "As a user I want a quick search")
    criteria = "**Given** a backlog\n- When I type *export*\n- Then I see matching items"
    form = _form(item, token, 1, title="As a user I want a quick search", estimate="M",
                 acceptance_criteria=criteria, status="done")  # fmt: skip
    r = client.post(f"/items/{item}/edit", data=form, follow_redirects=False)
    assert r.headers["location"] == f"/items/{item}?warning=dod"
    page = client.get(r.headers["location"]).text
    assert 'id="dod-warning" role="alert"' in page and "<li>Tested</li>" in page
    assert '<dt class="gwt-then">Then</dt><dd>I see matching items</dd>' in page
    text = _text(page)
    assert "The story does not say why" in text and "Vague words: quick" in text
    assert 'id="ready-badge">Not ready' in page
    assert '<option value="M" selected>M</option>' in page  # the T-shirt scale
    tick = {"csrf_token": token, "checklist": "ready", "ticked": ["Estimated"]}
    assert (
        client.post(f"/items/{item}/checks", data=tick, follow_redirects=False).status_code == 303
    )
    assert 'id="ready-badge">Ready' in client.get(f"/items/{item}").text


def test_settings_page_moves_and_refuses_with_a_way_out(po: tuple[TestClient, str, int]) -> None:
    client, token, pid = po
    page = client.get(f"/products/{pid}/backlog-settings").text
    assert 'value="statuses:remove:4"' in page and "Definition of Done" in page
    base = {
        "csrf_token": token, "status_key": ["new", "ready", "in_progress", "done", "rejected", ""],
        "status_label": ["New", "Ready", "In progress", "Done", "Rejected", ""],
        "status_category": ["todo", "todo", "doing", "done", "rejected", "doing"],
        "scale": "fibonacci", "ready": ["A", "B", ""], "done": [""],
    }  # fmt: skip
    r = client.post(f"/products/{pid}/backlog-settings", data={**base, "op": "ready:up:1"})
    assert r.status_code == 200  # followed the redirect
    assert re.findall(r'name="ready" type="text" maxlength="200" value="(\w)"', r.text) == [
        "B",
        "A",
    ]
    _new_item(client, token, pid, "Stuck in new")
    refused = client.post(
        f"/products/{pid}/backlog-settings", data={**base, "op": "statuses:remove:0"}
    )
    assert refused.status_code == 409
    assert "Items still use New (1 in all)" in unescape(refused.text)
    assert 'id="f-move-to"' in refused.text
    assert 'value="statuses:remove:0"' in refused.text  # the draft without "New" is shown
    assert 'id="st-label-0" name="status_label" type="text" maxlength="40" value="Ready"' in (
        refused.text
    )
    moved = client.post(
        f"/products/{pid}/backlog-settings",
        data={**base, "op": "statuses:remove:0", "move_to": "ready"},
        follow_redirects=False,
    )
    assert moved.status_code == 303


def test_the_bell_counts_mentions_until_read(client: TestClient, db: Database) -> None:
    owner = make_user(db, "po@example.org", name="Paula")
    dev = make_user(db, "dev@example.org", name="Yanis")
    pid = products.create_product(db.uow(), actor=actor(owner), name="Atlas").id
    products.add_member(
        db.uow(), product_id=pid, actor=actor(owner), email=dev.email, role="member"
    )
    token = sign_in(client, "po@example.org")
    item = _new_item(client, token, pid, "Dark mode")
    r = client.post(f"/items/{item}/comments", data={"csrf_token": token, "body": "@dev ok?"},
                    follow_redirects=False)  # fmt: skip
    assert r.headers["location"].startswith(f"/items/{item}#comment-")
    empty = client.post(f"/items/{item}/comments", data={"csrf_token": token, "body": " "})
    assert empty.status_code == 422 and 'id="e-body"' in empty.text
    assert 'id="unread-count"' not in client.get("/products").text
    client.cookies.clear()
    token = sign_in(client, "dev@example.org")
    assert '<span class="bell-count" id="unread-count">1</span>' in client.get("/products").text
    page = client.get("/notifications").text
    assert "Paula mentioned you on" in _text(page) and f'href="/items/{item}#comment-' in page
    note = re.search(r'action="/notifications/(\d+)/read"', page)
    assert note is not None
    opened = client.post(
        f"/notifications/{note.group(1)}/read",
        data={"csrf_token": token, "next": f"/items/{item}#comment-1"},
        follow_redirects=False,
    )
    assert opened.headers["location"] == f"/items/{item}#comment-1"
    assert 'id="unread-count"' not in client.get("/notifications").text
