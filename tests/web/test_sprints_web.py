"""Sprints over HTTP: the API (teams, sprints, planning, start, close, settings, per-field
errors) and the pages (list, planning with its capacity bar, board with WIP warnings, close)."""

from __future__ import annotations

import re
from html import unescape
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


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _setup(api: TestClient) -> tuple[int, int, dict[str, int]]:
    """A product, a team of one (the PO), and four estimated items."""
    pid = _ok(api.post("/api/v1/products", json={"name": "Atlas"}), 201)["id"]
    me = _ok(api.get("/api/v1/me"))["id"]
    team = _ok(
        api.post(
            f"/api/v1/products/{pid}/teams",
            json={"name": "Blue", "members": [{"user_id": me, "focus_factor": 0.5}]},
        ),
        201,
    )
    assert team["members"] == [{"user_id": me, "name": "Camille", "focus_factor": 0.5}]
    items = {}
    for title, estimate in (("Pay by card", 5), ("Refunds", 3), ("Receipts", 2), ("Export", 8)):
        body = {"title": title, "estimate": estimate}
        items[title] = _ok(api.post(f"/api/v1/products/{pid}/items", json=body), 201)["id"]
    return pid, team["id"], items


def _sprint(api: TestClient, pid: int, team: int, **extra: Any) -> Any:
    body = {"name": "Sprint 1", "team_id": team, "starts_on": "2026-03-02", **extra}
    return api.post(f"/api/v1/products/{pid}/sprints", json=body)


def test_the_sprint_api_plans_starts_and_closes_a_sprint(api: TestClient) -> None:
    pid, team, items = _setup(api)
    sprint = _ok(_sprint(api, pid, team), 201)
    assert (sprint["ends_on"], sprint["state"], sprint["team_name"]) == (
        "2026-03-15",
        "planned",
        "Blue",
    )
    sid = sprint["id"]
    ids = [items["Pay by card"], items["Refunds"], items["Receipts"]]
    planned = _ok(api.post(f"/api/v1/sprints/{sid}/items", json={"item_ids": ids}))
    assert (planned["committed_points"], planned["item_ids"]) == (10, ids)
    after = _ok(api.delete(f"/api/v1/sprints/{sid}/items/{items['Receipts']}"))
    assert after["committed_count"] == 2
    refused = api.post(f"/api/v1/sprints/{sid}/start")
    assert refused.status_code == 422 and "goal" in refused.json()["error"]["fields"]
    _ok(api.patch(f"/api/v1/sprints/{sid}", json={"goal": "Customers pay by card"}))
    assert _ok(api.post(f"/api/v1/sprints/{sid}/start"))["state"] == "active"
    _ok(api.patch(f"/api/v1/items/{items['Pay by card']}", json={"status": "done"}))
    closed = _ok(api.post(f"/api/v1/sprints/{sid}/close", json={"unfinished": "next"}))
    assert closed["counts"] == {"done": 1, "removed": 0, "backlog": 0, "next_sprint": 1}
    assert closed["created_next"] and closed["next_sprint"]["name"] == "Sprint 2"
    assert closed["next_sprint"]["item_ids"] == [items["Refunds"]]
    assert (closed["sprint"]["done_points"], closed["sprint"]["state"]) == (5, "closed")
    listed = _ok(api.get(f"/api/v1/products/{pid}/sprints"))
    assert [s["name"] for s in listed] == ["Sprint 2", "Sprint 1"]  # planned, then closed


def test_bad_sprint_input_gets_a_message_per_field(api: TestClient) -> None:
    pid, team, _items = _setup(api)
    early = _sprint(api, pid, team, ends_on="2026-03-01")
    assert early.status_code == 422
    assert "2026-03-01" in early.json()["error"]["fields"]["ends_on"]
    _ok(_sprint(api, pid, team), 201)
    overlap = _sprint(api, pid, team, name="Sprint 2", starts_on="2026-03-10")
    assert overlap.status_code == 422
    assert "Sprint 1" in overlap.json()["error"]["fields"]["starts_on"]
    wip = api.patch(
        f"/api/v1/products/{pid}/sprint-settings", json={"wip_limits": {"in_progress": -2}}
    )
    assert wip.status_code == 422
    assert wip.json()["error"]["fields"] == {
        "wip_limits.in_progress": "A WIP limit cannot be below zero."
    }
    saved = _ok(
        api.patch(
            f"/api/v1/products/{pid}/sprint-settings",
            json={"wip_limits": {"in_progress": 2}, "length_days": 10},
        )
    )
    assert saved == {"length_days": 10, "capacity_unit": "points", "wip_limits": {"in_progress": 2}}
    focus = api.post(
        f"/api/v1/products/{pid}/teams",
        json={"name": "Red", "members": [{"user_id": 1, "focus_factor": 0}]},
    )
    assert focus.status_code == 422 and "focus_factor" in focus.json()["error"]["fields"]
    stray = api.post("/api/v1/sprints/999/items", json={"item_ids": [1]})
    assert stray.status_code == 404


@pytest.fixture
def browser(client: TestClient, db: Database) -> tuple[TestClient, str]:
    make_user(db, "po@example.org", name="Camille")
    return client, sign_in(client, "po@example.org")


def _page_setup(client: TestClient, token: str) -> tuple[int, int, dict[str, int]]:
    client.headers["X-CSRF-Token"] = token
    return _setup(client)


def test_planning_page_adds_and_removes_without_javascript(
    browser: tuple[TestClient, str],
) -> None:
    client, token = browser
    pid, team, items = _page_setup(client, token)
    r = client.post(
        f"/products/{pid}/sprints",
        data={
            "name": "Sprint 1",
            "team_id": str(team),
            "starts_on": "2026-03-02",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    plan_url = r.headers["location"]
    sid = int(plan_url.split("/")[-2])
    r = client.post(
        f"/products/{pid}/sprints/{sid}/items",
        data={"item_id": str(items["Export"]), "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = _text(client.get(plan_url).text)
    assert "8 points planned for 5 person-days" in page  # 10 working days × focus 0.5
    sprint_part = page.split("In the sprint", 1)[1]
    assert "Export" in sprint_part and "Pay by card" not in sprint_part
    # starting without a goal: the page says why, and nothing starts
    r = client.post(f"/products/{pid}/sprints/{sid}/start", data={"csrf_token": token})
    assert r.status_code == 422 and "Write the Sprint Goal" in _text(r.text)
    r = client.post(
        f"/products/{pid}/sprints/{sid}/items/{items['Export']}/remove",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Nothing planned yet" in client.get(plan_url).text
    # the list shows the sprint under its team; the product page links to it
    listed = _text(client.get(f"/products/{pid}/sprints").text)
    assert "Blue" in listed and "Sprint 1" in listed and "0 of 0 points done" in listed
    assert f'href="/products/{pid}/sprints"' in client.get(f"/products/{pid}").text


def test_the_board_moves_cards_and_warns_above_a_wip_limit(
    browser: tuple[TestClient, str],
) -> None:
    client, token = browser
    pid, team, items = _page_setup(client, token)
    _ok(
        client.patch(
            f"/api/v1/products/{pid}/sprint-settings", json={"wip_limits": {"in_progress": 1}}
        )
    )
    sid = _ok(_sprint(client, pid, team, goal="Pay"), 201)["id"]
    ids = [items["Pay by card"], items["Refunds"]]
    _ok(client.post(f"/api/v1/sprints/{sid}/items", json={"item_ids": ids}))
    _ok(client.post(f"/api/v1/sprints/{sid}/start"))
    late = _ok(client.post(f"/api/v1/sprints/{sid}/items", json={"item_ids": [items["Receipts"]]}))
    assert (late["added_count"], late["committed_count"]) == (1, 2)
    plan = client.get(f"/products/{pid}/sprints/{sid}/plan").text
    assert _text(plan).count("Added after the start") == 1
    board = f"/products/{pid}/sprints/{sid}/board"
    for item_id in ids:
        r = client.post(
            f"{board}/{item_id}", data={"status": "in_progress", "csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303
    page = client.get(board).text
    assert "data-wip-warning" in page and "over-limit" in page
    assert "In progress: 2 cards for a limit of 1" in _text(page)
    # the move went through the backlog's status change: history and done_at
    r = client.post(
        f"{board}/{ids[0]}", data={"status": "done", "csrf_token": token}, follow_redirects=False
    )
    item = _ok(client.get(f"/api/v1/items/{ids[0]}"))
    assert item["status"] == "done" and item["done_at"] is not None
    assert "data-wip-warning" not in client.get(board).text
    # an item of no sprint cannot be moved through this board
    outside = client.post(
        f"{board}/{items['Export']}", data={"status": "done", "csrf_token": token}
    )
    assert outside.status_code == 404


def test_the_close_page_spills_items_one_by_one(browser: tuple[TestClient, str]) -> None:
    client, token = browser
    pid, team, items = _page_setup(client, token)
    sid = _ok(_sprint(client, pid, team, goal="Pay"), 201)["id"]
    ids = [items["Pay by card"], items["Refunds"], items["Receipts"]]
    _ok(client.post(f"/api/v1/sprints/{sid}/items", json={"item_ids": ids}))
    _ok(client.post(f"/api/v1/sprints/{sid}/start"))
    page = _text(client.get(f"/products/{pid}/sprints/{sid}/close").text)
    assert "Where do the 3 unfinished items go?" in page
    r = client.post(
        f"/products/{pid}/sprints/{sid}/close",
        data={
            "unfinished": "backlog", "next_sprint_id": "", "csrf_token": token,
            "item": [str(i) for i in ids], "choice": ["next", "", "backlog"],
        },
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    nxt = int(r.headers["location"].split("/")[-2])
    assert _ok(client.get(f"/api/v1/sprints/{nxt}"))["item_ids"] == [items["Pay by card"]]
    assert _ok(client.get(f"/api/v1/sprints/{sid}"))["state"] == "closed"
