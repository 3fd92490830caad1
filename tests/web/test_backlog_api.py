"""The backlog API: items, cursor pages, moves, ETag / If-Match, comments."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.uow import Database
from tests.support.helpers import actor, make_user


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _product(api: TestClient) -> int:
    return int(api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"])


def _item(api: TestClient, pid: int, title: str, **extra: Any) -> dict[str, Any]:
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": title, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_create_list_and_page(api: TestClient) -> None:
    pid = _product(api)
    first = _item(api, pid, "Sign up with e-mail", tags=["Onboarding", " auth "], estimate=3)
    assert first["tags"] == ["auth", "onboarding"] and first["estimate"] == 3
    for i in range(4):
        _item(api, pid, f"Story {i}")
    page = api.get(f"/api/v1/products/{pid}/items", params={"limit": 2}).json()
    assert [i["title"] for i in page["items"]] == ["Sign up with e-mail", "Story 0"]
    rest = api.get(
        f"/api/v1/products/{pid}/items", params={"limit": 10, "cursor": page["next_cursor"]}
    ).json()
    assert [i["title"] for i in rest["items"]] == ["Story 1", "Story 2", "Story 3"]
    assert rest["next_cursor"] is None
    tagged = api.get(f"/api/v1/products/{pid}/items", params={"tag": "auth"}).json()
    assert [i["id"] for i in tagged["items"]] == [first["id"]]


def test_etag_and_if_match(api: TestClient) -> None:
    pid = _product(api)
    item = _item(api, pid, "Export to CSV")
    got = api.get(f"/api/v1/items/{item['id']}")
    assert got.headers["etag"] == '"1"'
    ok = api.patch(
        f"/api/v1/items/{item['id']}", json={"status": "ready"}, headers={"If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = api.patch(
        f"/api/v1/items/{item['id']}", json={"title": "Mine"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert api.get(f"/api/v1/items/{item['id']}").json()["title"] == "Export to CSV"
    bad = api.patch(
        f"/api/v1/items/{item['id']}", json={"title": "x"}, headers={"If-Match": "yesterday"}
    )
    assert bad.status_code == 422


def test_move_endpoint(api: TestClient) -> None:
    pid = _product(api)
    a, _b, c = (_item(api, pid, t)["id"] for t in "ABC")
    assert api.post(f"/api/v1/items/{c}/move", json={"before_id": a}).status_code == 200
    assert api.post(f"/api/v1/items/{a}/move", json={"to": "bottom"}).status_code == 200
    titles = [i["title"] for i in api.get(f"/api/v1/products/{pid}/items").json()["items"]]
    assert titles == ["C", "B", "A"]
    assert api.post(f"/api/v1/items/{a}/move", json={}).status_code == 422
    assert api.post(f"/api/v1/items/{a}/move", json={"to": "sideways"}).status_code == 422
    assert api.post(f"/api/v1/items/{a}/move", json={"before_id": 99999}).status_code == 422


def test_bad_item_input(api: TestClient) -> None:
    pid = _product(api)
    assert api.post(f"/api/v1/products/{pid}/items", json={"title": ""}).status_code == 422
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": "x", "type": "saga"})
    assert r.status_code == 422 and "type" in r.json()["error"]["fields"]
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": "x", "colour": "red"})
    assert r.status_code == 422 and "colour" in r.json()["error"]["fields"]
    assert api.get("/api/v1/items/4242").status_code == 404


def test_comments(api: TestClient) -> None:
    pid = _product(api)
    item = _item(api, pid, "Dark mode")
    r = api.post(f"/api/v1/items/{item['id']}/comments", json={"body": "Users ask a lot"})
    assert r.status_code == 201 and r.json()["author_label"] == "Camille"
    assert [c["body"] for c in api.get(f"/api/v1/items/{item['id']}/comments").json()] == [
        "Users ask a lot"
    ]
