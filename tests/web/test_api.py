"""The JSON API: contract of the public routes, error bodies and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jalon.accounts import services as accounts
from jalon.app import create_app
from jalon.products.models import Product
from jalon.settings import load_settings
from jalon.uow import Database
from tests.support.helpers import actor, make_user


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    return body


def test_create_get_and_list_products(api: TestClient) -> None:
    r = api.post(
        "/api/v1/products",
        json={"name": "Atlas", "vision": "Maps", "target_users": "Hikers", "product_goal": "v1"},
    )
    assert r.status_code == 201
    body = r.json()
    assert body["name"] == "Atlas" and body["stage"] == "idea" and body["role"] == "owner"
    assert body["allowed_stages"] == ["discovery", "sunsetting"]
    assert r.headers["location"] == f"/api/v1/products/{body['id']}"
    assert api.get(f"/api/v1/products/{body['id']}").json()["vision"] == "Maps"
    assert [p["name"] for p in api.get("/api/v1/products").json()] == ["Atlas"]


def test_stage_changes_and_409_names_allowed_transitions(api: TestClient) -> None:
    pid = api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"]
    bad = api.post(f"/api/v1/products/{pid}/stage", json={"stage": "launched"})
    body = _error(bad, 409, "conflict")
    assert "from Idea to Launched; allowed: Discovery, Sunsetting." in body["message"]
    no_reason = api.post(f"/api/v1/products/{pid}/stage", json={"stage": "sunsetting"})
    assert _error(no_reason, 422, "invalid")["fields"] == {
        "reason": "Say why the product enters the Sunsetting stage."
    }
    ok = api.post(f"/api/v1/products/{pid}/stage", json={"stage": "discovery", "reason": "go"})
    assert ok.status_code == 200 and ok.json()["stage"] == "discovery"
    history = api.get(f"/api/v1/products/{pid}/stages").json()
    assert [(h["from_stage"], h["to_stage"], h["reason"]) for h in history] == [
        (None, "idea", ""),
        ("idea", "discovery", "go"),
    ]
    assert history[1]["actor_label"] == "Camille"


def test_members_and_activity(api: TestClient, db: Database) -> None:
    pid = api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"]
    make_user(db, "dev@example.org")
    added = api.post(
        f"/api/v1/products/{pid}/members", json={"email": "dev@example.org", "role": "member"}
    )
    assert added.status_code == 201
    assert added.json()["invited"] is False and added.json()["invitation_url"] is None
    invited = api.post(
        f"/api/v1/products/{pid}/members", json={"email": "new@example.org", "role": "viewer"}
    )
    assert invited.json()["invited"] is True
    assert "/invite/" in invited.json()["invitation_url"]
    dup = api.post(
        f"/api/v1/products/{pid}/members", json={"email": "dev@example.org", "role": "viewer"}
    )
    _error(dup, 409, "conflict")
    uid = added.json()["user_id"]
    changed = api.patch(f"/api/v1/products/{pid}/members/{uid}", json={"role": "stakeholder"})
    assert changed.json()["role"] == "stakeholder"
    assert api.delete(f"/api/v1/products/{pid}/members/{uid}").status_code == 204
    roles = {m["email"]: m["role"] for m in api.get(f"/api/v1/products/{pid}/members").json()}
    assert roles == {"po@example.org": "owner", "new@example.org": "viewer"}
    actions = [a["action"] for a in api.get(f"/api/v1/products/{pid}/activity").json()]
    assert actions == [
        "products.member.removed",
        "products.member.role_changed",
        "products.member.added",
        "products.member.added",
        "products.product.created",
    ]
    page = api.get(f"/api/v1/products/{pid}/activity", params={"limit": 2}).json()
    older = api.get(f"/api/v1/products/{pid}/activity", params={"before_id": page[-1]["id"]}).json()
    assert [a["action"] for a in page + older] == actions


def test_patch_product(api: TestClient) -> None:
    pid = api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"]
    r = api.patch(f"/api/v1/products/{pid}", json={"product_goal": "Reach 1,000 hikers"})
    assert r.json()["product_goal"] == "Reach 1,000 hikers" and r.json()["name"] == "Atlas"
    entry = api.get(f"/api/v1/products/{pid}/activity").json()[0]
    assert entry["changes"] == {"product_goal": ["", "Reach 1,000 hikers"]}


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({}, "name", "Field required"),
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
        ({"name": 42}, "name", "valid string"),
        ({"name": "Atlas", "owner": "me"}, "owner", "Unknown field."),
        ({"name": "Atlas", "vision": ["a"]}, "vision", "valid string"),
    ],
)
def test_bad_input_gets_a_message_per_field(
    api: TestClient, db: Database, payload: dict[str, Any], field: str, fragment: str
) -> None:
    body = _error(api.post("/api/v1/products", json=payload), 422, "invalid")
    assert fragment in body["fields"][field]
    with db.reader() as uow:
        assert uow.session.scalar(select(func.count(Product.id))) == 0


def test_malformed_json_and_wrong_shapes(api: TestClient) -> None:
    bad = api.post(
        "/api/v1/products",
        content=b'{"name": "Atlas",',
        headers={"content-type": "application/json"},
    )
    assert "not valid JSON" in _error(bad, 400, "invalid_json")["message"]
    _error(api.post("/api/v1/products", json=["Atlas"]), 422, "invalid")
    pid = api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"]
    unknown_stage = api.post(f"/api/v1/products/{pid}/stage", json={"stage": "shipped"})
    assert "stage" in _error(unknown_stage, 422, "invalid")["fields"]
    unknown_role = api.post(
        f"/api/v1/products/{pid}/members", json={"email": "x@example.org", "role": "boss"}
    )
    assert "role" in _error(unknown_role, 422, "invalid")["fields"]


def test_unknown_ids_and_routes_are_404(api: TestClient) -> None:
    _error(api.get("/api/v1/products/9999"), 404, "not_found")
    _error(api.post("/api/v1/products/9999/stage", json={"stage": "discovery"}), 404, "not_found")
    _error(api.get("/api/v1/nothing-here"), 404, "not_found")
    _error(api.get("/api/v1/products/abc"), 422, "invalid")


def test_anonymous_and_bad_tokens_get_401(client: TestClient) -> None:
    _error(client.get("/api/v1/products"), 401, "unauthenticated")
    bad = client.get("/api/v1/products", headers={"Authorization": "Bearer jal_nope"})
    _error(bad, 401, "unauthenticated")


def test_openapi_and_health(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/products/{product_id}/stage" in spec["paths"]
    assert "/products" not in spec["paths"]  # pages are not part of the API
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent-dir/jalon.db", "postgresql://postgres@127.0.0.1:1/jalon"]
)
def test_health_reports_a_database_that_does_not_answer(url: str, tmp_path: Path) -> None:
    settings = load_settings({}, overrides={"database_url": url, "data_dir": tmp_path})
    with TestClient(create_app(settings)) as client:
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"status": "unavailable"}
