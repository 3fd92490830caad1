"""The prioritisation API: scores with explanations, ranking, formulas, compare, apply order."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.uow import Database
from tests.support.helpers import actor, make_user

RICE = {"reach": 800, "impact": 2, "confidence": 0.8, "effort": 4}


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _product(api: TestClient, *titles: str) -> tuple[int, list[int]]:
    pid = int(api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"])
    ids = []
    for title in titles:
        r = api.post(f"/api/v1/products/{pid}/items", json={"title": title})
        assert r.status_code == 201, r.text
        ids.append(int(r.json()["id"]))
    return pid, ids


def _score(api: TestClient, item: int, model: str, inputs: dict[str, Any]) -> dict[str, Any]:
    r = api.put(f"/api/v1/items/{item}/scores/{model}", json=inputs)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_put_score_returns_the_score_and_its_explanation(api: TestClient) -> None:
    _pid, (item,) = _product(api, "Export invoices")
    body = _score(api, item, "rice", RICE)
    assert body["value"] == 320 and body["explanation"] == "(800 × 2 × 0.8) / 4 = 320"
    assert body["steps"][-1]["value"] == 320 and body["missing"] == []
    scores = api.get(f"/api/v1/items/{item}/scores").json()["scores"]
    by_model = {s["model"]: s for s in scores}
    assert by_model["rice"]["value"] == 320
    assert by_model["wsjf"]["value"] is None and "job_size" in by_model["wsjf"]["missing"]


def test_bad_inputs_answer_422_per_field(api: TestClient) -> None:
    _pid, (item,) = _product(api, "A")
    r = api.put(f"/api/v1/items/{item}/scores/rice", json={**RICE, "confidence": 80, "effort": 0})
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    assert set(fields) == {"confidence", "effort"} and "0.8 for 80%" in fields["confidence"]
    assert api.put(f"/api/v1/items/{item}/scores/nope", json={}).status_code == 422
    assert api.get(f"/api/v1/items/{item}/scores").json()["scores"][0]["value"] is None


def test_bulk_scores_and_ranking_pages(api: TestClient) -> None:
    pid, ids = _product(api, "A", "B", "C")
    items = [
        {"item_id": i, "inputs": {**RICE, "reach": r}}
        for i, r in zip(ids, (10, 30, 20), strict=True)
    ]
    bad = [*items[:2], {"item_id": ids[2], "inputs": {**RICE, "effort": -1}}]
    r = api.post(f"/api/v1/products/{pid}/scores", json={"model": "rice", "items": bad})
    assert r.status_code == 422 and list(r.json()["error"]["fields"]) == [f"{ids[2]}.effort"]
    r = api.post(f"/api/v1/products/{pid}/scores", json={"model": "rice", "items": items})
    assert r.json() == {"model": "rice", "scored": 3}
    first = api.get(f"/api/v1/products/{pid}/ranking", params={"model": "rice", "limit": 2}).json()
    assert [i["title"] for i in first["items"]] == ["B", "C"] and first["total"] == 3
    rest = api.get(
        f"/api/v1/products/{pid}/ranking", params={"model": "rice", "cursor": first["next_cursor"]}
    ).json()
    assert [(i["title"], i["rank"]) for i in rest["items"]] == [("A", 3)]
    assert rest["next_cursor"] is None
    assert api.get(f"/api/v1/products/{pid}/ranking", params={"model": "x"}).status_code == 422


def test_formulas_crud_and_precise_errors(api: TestClient) -> None:
    pid, (a, _b) = _product(api, "A", "B")
    _score(api, a, "rice", RICE)
    url = f"/api/v1/products/{pid}/formulas"
    r = api.post(url, json={"name": "Half RICE", "expression": "rice / 2"})
    assert r.status_code == 201, r.text
    assert r.json()["model"] == "formula:half_rice" and r.json()["scored"] == 1
    ranking = api.get(f"/api/v1/products/{pid}/ranking", params={"model": "formula:half_rice"})
    assert ranking.json()["items"][0]["value"] == 160
    r = api.post(url, json={"name": "Broken", "expression": "rice / (2 - 2)"})
    assert r.status_code == 422
    assert (
        "Division by zero at position 9: 2 - 2 is always 0"
        in r.json()["error"]["fields"]["expression"]
    )
    r = api.post(url, json={"name": "Unknown", "expression": "rice * budget"})
    assert "Unknown name 'budget' at position 8" in r.json()["error"]["fields"]["expression"]
    assert [f["key"] for f in api.get(url).json()] == ["half_rice"]
    r = api.patch(f"{url}/half_rice", json={"expression": "rice_reach"})
    assert r.json()["expression"] == "rice_reach" and r.json()["scored"] == 1
    scores = api.get(f"/api/v1/items/{a}/scores").json()["scores"]
    custom = next(s for s in scores if s["model"] == "formula:half_rice")
    assert custom["value"] == 800 and custom["explanation"] == "800 = 800"
    assert api.delete(f"{url}/half_rice").status_code == 204
    assert api.get(f"{url}/half_rice").status_code == 404
    assert api.get(url).json() == []


def test_compare_with_a_swap(api: TestClient) -> None:
    pid, (a, b) = _product(api, "A", "B")
    _score(api, a, "rice", {**RICE, "reach": 900})
    _score(api, b, "rice", {**RICE, "reach": 100})
    _score(api, a, "value_effort", {"value": 1, "effort": 5})
    _score(api, b, "value_effort", {"value": 5, "effort": 1})
    r = api.get(
        f"/api/v1/products/{pid}/compare",
        params={"models": "rice,value_effort", "a": b, "b": a, "pair_model": "rice"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["pairs"][0]["tau"] == -1 and {s["item_id"] for s in body["pairs"][0]["shifts"]} == {
        a,
        b,
    }
    assert body["items"][0]["ranks"] == {"rice": 1, "value_effort": 2}
    swap = body["swap"]
    assert swap["above_id"] == a and swap["suggestions"]
    messages = [s["message"] for s in swap["suggestions"]]
    assert any(m.startswith("Raise B's Reach from 100 to") for m in messages), messages
    assert api.get(f"/api/v1/products/{pid}/compare", params={"models": "rice"}).status_code == 422


def test_apply_order_and_undo(api: TestClient) -> None:
    pid, (_a, b, c) = _product(api, "A", "B", "C")
    _score(api, c, "ice", {"impact": 9, "confidence": 9, "ease": 9})
    _score(api, b, "ice", {"impact": 5, "confidence": 5, "ease": 5})
    r = api.post(f"/api/v1/products/{pid}/apply-order", json={"model": "ice"})
    assert r.status_code == 201, r.text
    snapshot = r.json()
    assert snapshot["items"] == 3 and snapshot["undone_at"] is None

    def titles() -> list[str]:
        return [i["title"] for i in api.get(f"/api/v1/products/{pid}/items").json()["items"]]

    assert titles() == ["C", "B", "A"]
    undo = f"/api/v1/products/{pid}/apply-order/{snapshot['id']}/undo"
    r = api.post(undo)
    assert r.status_code == 200 and r.json()["undone_at"] is not None
    assert titles() == ["A", "B", "C"]
    r = api.post(undo)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
