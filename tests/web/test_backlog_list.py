"""The backlog list over HTTP: filters and search, saved views, bulk edits, the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _product(api: TestClient) -> int:
    return int(api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"])


def _item(api: TestClient, pid: int, title: str, **extra: Any) -> int:
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": title, **extra})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _titles(api: TestClient, pid: int, **params: Any) -> list[str]:
    r = api.get(f"/api/v1/products/{pid}/items", params=params)
    assert r.status_code == 200, r.text
    return [i["title"] for i in r.json()["items"]]


def test_filters_and_search_through_the_api(api: TestClient) -> None:
    pid = _product(api)
    _item(api, pid, "Paiement par virement", type="story", tags=["pay"])
    _item(api, pid, "Running exports", type="bug", status="ready")
    _item(api, pid, "Paiements refusés", type="bug", tags=["pay"])
    assert _titles(api, pid, q="paiements") == ["Paiement par virement", "Paiements refusés"]
    assert _titles(api, pid, q="run") == ["Running exports"]
    assert _titles(api, pid, q="paiement", type="bug") == ["Paiements refusés"]
    assert _titles(api, pid, type=["bug", "story"], tag="pay") == [
        "Paiement par virement",
        "Paiements refusés",
    ]
    assert _titles(api, pid, status="ready", assignee_id="none") == ["Running exports"]
    assert _titles(api, pid, ready="yes") == _titles(api, pid)  # no Definition of Ready yet
    first = api.get(f"/api/v1/products/{pid}/items", params={"q": "paiement", "limit": 1}).json()
    rest = api.get(
        f"/api/v1/products/{pid}/items",
        params={"q": "paiement", "limit": 1, "cursor": first["next_cursor"]},
    ).json()
    assert [i["title"] for i in rest["items"]] == ["Paiements refusés"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "saga"}, "type.0"),
        ({"status": "nope"}, "status"),
        ({"ready": "maybe"}, "ready"),
        ({"assignee_id": "someone"}, "assignee_id"),
        ({"score_min": "3"}, "score_model"),
        ({"score_model": "magic"}, "score_model"),
        ({"score_model": "rice", "score_min": "5", "score_max": "1"}, "score_min"),
        ({"score_model": "rice", "score_min": "lots"}, "score_min"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_filters_get_a_422_naming_the_field(
    api: TestClient, params: dict[str, str], field: str
) -> None:
    pid = _product(api)
    r = api.get(f"/api/v1/products/{pid}/items", params=params)
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["fields"], r.json()


def test_saved_views_personal_and_shared(api: TestClient, client: TestClient, db: Database) -> None:
    pid = _product(api)
    r = api.post(
        f"/api/v1/products/{pid}/views",
        json={"name": "Bugs à trier", "query": {"type": ["bug"], "q": "paiement"}},
    )
    assert r.status_code == 201, r.text
    mine = r.json()
    assert mine["shared"] is False and mine["query"] == {"type": ["bug"], "q": "paiement"}
    assert mine["url"] == f"/products/{pid}/backlog?type=bug&q=paiement"
    shared = api.post(
        f"/api/v1/products/{pid}/views",
        json={"name": "Ready", "shared": True, "query": {"ready": "yes"}},
    ).json()
    again = api.post(
        f"/api/v1/products/{pid}/views", json={"name": "bugs à trier", "query": {"type": ["spike"]}}
    ).json()
    assert again["id"] == mine["id"] and again["query"] == {"type": ["spike"]}
    listed = api.get(f"/api/v1/products/{pid}/views").json()
    assert [(v["name"], v["shared"]) for v in listed] == [("Bugs à trier", False), ("Ready", True)]
    bad = api.post(f"/api/v1/products/{pid}/views", json={"name": "X", "query": {"type": ["saga"]}})
    assert bad.status_code == 422
    assert api.delete(f"/api/v1/views/{shared['id']}").status_code == 204
    assert api.delete(f"/api/v1/views/{shared['id']}").status_code == 404
    assert [v["name"] for v in api.get(f"/api/v1/products/{pid}/views").json()] == ["Bugs à trier"]


def test_a_personal_view_is_nobody_elses(api: TestClient, db: Database) -> None:
    pid = _product(api)
    view = api.post(f"/api/v1/products/{pid}/views", json={"name": "Mine"}).json()
    other = make_user(db, "dev@example.org")
    r = api.post(f"/api/v1/products/{pid}/members", json={"email": other.email, "role": "member"})
    assert r.status_code == 201, r.text
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(other), name="dev")
    headers = {"Authorization": f"Bearer {raw}"}
    assert api.get(f"/api/v1/products/{pid}/views", headers=headers).json() == []
    assert api.delete(f"/api/v1/views/{view['id']}", headers=headers).status_code == 404


def test_bulk_edit_is_all_or_nothing(api: TestClient) -> None:
    pid = _product(api)
    epic = _item(api, pid, "Epic", type="epic")
    feature = _item(api, pid, "Feature", type="feature", parent_id=epic)
    a = _item(api, pid, "A", tags=["old"])
    b = _item(api, pid, "B", tags=["old", "keep"])
    r = api.post(
        f"/api/v1/products/{pid}/items/bulk",
        json={"item_ids": [a, b], "status": "ready", "add_tags": ["New"], "remove_tags": ["old"]},
    )
    assert r.status_code == 200, r.text
    assert sorted(r.json()["updated"]) == [a, b]
    for ident, tags in ((a, ["new"]), (b, ["keep", "new"])):
        got = api.get(f"/api/v1/items/{ident}").json()
        assert got["status"] == "ready" and got["tags"] == tags and got["version"] == 2
    refused = api.post(
        f"/api/v1/products/{pid}/items/bulk",
        json={"item_ids": [a, feature, 999999], "type": "epic"},
    )
    assert refused.status_code == 422, refused.text
    fields = refused.json()["error"]["fields"]
    assert set(fields) == {f"items.{feature}", "items.999999"}
    assert api.get(f"/api/v1/items/{a}").json()["type"] == "story"  # nothing written
    bad_status = api.post(
        f"/api/v1/products/{pid}/items/bulk", json={"item_ids": [a], "status": "limbo"}
    )
    assert bad_status.status_code == 422 and "status" in bad_status.json()["error"]["fields"]
    empty = api.post(f"/api/v1/products/{pid}/items/bulk", json={"item_ids": []})
    assert empty.status_code == 422


def test_the_page_filters_pages_and_edits_in_bulk(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = sign_in(client, "po@example.org")
    r = client.post("/products/new", data={"name": "Atlas", "csrf_token": token})
    pid = int(re.findall(r"/products/(\d+)", r.headers.get("location", "") or r.url.path)[0])
    for title in ("Paiement carte", "Paiement virement", "Export CSV"):
        client.post(f"/products/{pid}/backlog", data={"title": title, "csrf_token": token})
    page = client.get(f"/products/{pid}/backlog", params={"q": "paiements", "limit": 1})
    assert page.status_code == 200
    assert "Paiement carte" in page.text and "Export CSV" not in page.text
    more = re.search(r'hx-get="([^"]+)"', page.text)
    assert more is not None
    fragment = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert "Paiement virement" in fragment.text and "<html" not in fragment.text
    ids = [
        int(i) for i in re.findall(r'data-id="(\d+)"', client.get(f"/products/{pid}/backlog").text)
    ]
    done = client.post(
        f"/products/{pid}/backlog/bulk",
        data={"item": ids[:2], "status": "ready", "back": "q=paiement", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("/backlog?q=paiement")
    ready = client.get(f"/products/{pid}/backlog", params={"status": "ready"}).text
    assert "Paiement carte" in ready and "Export CSV" not in ready
    refused = client.post(
        f"/products/{pid}/backlog/bulk", data={"item": [], "status": "ready", "csrf_token": token}
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    saved = client.post(
        f"/products/{pid}/views",
        data={"name": "Paiements", "back": "q=paiement&status=ready", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    listing = client.get(f"/products/{pid}/backlog").text
    assert "?q=paiement&amp;status=ready" in listing or "?status=ready&amp;q=paiement" in listing
