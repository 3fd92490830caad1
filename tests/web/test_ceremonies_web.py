"""Sprint Review, Retrospective and action items over HTTP: the JSON API with its per-field
errors, and the pages (forms without JavaScript, refused forms shown again)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.backlog import services as backlog
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.uow import Database
from tests.integration.test_ceremonies_services import add_sprint, add_team, in_sprint
from tests.support.helpers import actor, make_user, sign_in

TODAY = date.today()


@dataclass
class Setup:
    client: TestClient
    db: Database
    pid: int
    sprints: list[int]
    member_id: int
    outsider_id: int
    bearer: dict[str, str]
    po: Actor


@pytest.fixture
def s(client: TestClient, db: Database) -> Iterator[Setup]:
    po = make_user(db, "po@example.org", name="Camille")
    member = make_user(db, "dev@example.org", name="Dev")
    outsider = make_user(db, "out@example.org", name="Out")
    pid = products.create_product(db.uow(), actor=actor(po), name="Atlas").id
    products.add_member(
        db.uow(), product_id=pid, actor=actor(po), email=member.email, role="member"
    )
    team = add_team(db, pid, "Core")
    sprints = [
        add_sprint(db, pid, team, f"Sprint {n}", TODAY - timedelta(days=d))
        for n, d in ((1, 16), (2, 2))
    ]
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    bearer = {"Authorization": f"Bearer {raw}"}
    yield Setup(client, db, pid, sprints, member.id, outsider.id, bearer, actor(po))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- API -----------------------------------------------------------------------------------


def test_review_api(s: Setup) -> None:
    sid, h = s.sprints[0], s.bearer
    done = backlog.create_item(
        s.db.uow(), actor=s.po, product_id=s.pid, values={"title": "Search", "estimate": 5}
    )
    in_sprint(s.db, done.id, sid)
    backlog.update_item(s.db.uow(), actor=s.po, item_id=done.id, values={"status": "done"})
    empty = s.client.get(f"/api/v1/sprints/{sid}/review", headers=h).json()
    assert empty["held"] is False and empty["goal_verdict"] is None
    assert empty["increment"]["count"] == 1 and empty["increment"]["points"] == 5
    assert empty["increment"]["items"][0]["title"] == "Search"
    body = {"goal_verdict": "met", "progress_percent": 40, "attendees": ["Ana", "Bo"]}
    saved = s.client.put(f"/api/v1/sprints/{sid}/review", json=body, headers=h)
    assert saved.status_code == 200, saved.text
    assert saved.json()["trend"] == [{"sprint": "Sprint 1", "percent": 40, "change": None}]
    bad = s.client.put(
        f"/api/v1/sprints/{sid}/review", json={"goal_verdict": "yes", "held": True}, headers=h
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"goal_verdict"}
    held = s.client.put(f"/api/v1/sprints/{sid}/review", json={"held": True}, headers=h)
    assert held.json()["held"] is True
    late = s.client.put(f"/api/v1/sprints/{sid}/review", json={"goal_note": "x"}, headers=h)
    assert late.status_code == 409 and late.json()["error"]["code"] == "conflict"


def test_feedback_to_item_api(s: Setup) -> None:
    sid, h = s.sprints[1], s.bearer
    r = s.client.post(
        f"/api/v1/sprints/{sid}/review/feedback",
        json={"who": "Ana", "what": "A weekly digest e-mail"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    empty = s.client.post(
        f"/api/v1/sprints/{sid}/review/feedback", json={"who": "Ana", "what": ""}, headers=h
    )
    assert empty.status_code == 422 and set(empty.json()["error"]["fields"]) == {"what"}
    made = s.client.post(
        f"/api/v1/review-feedback/{fid}/to-item", json={"type": "feature"}, headers=h
    )
    assert made.status_code == 201, made.text
    item = made.json()["item"]
    assert item["title"] == "A weekly digest e-mail" and item["type"] == "feature"
    assert made.json()["feedback"]["item_id"] == item["id"]
    read = s.client.get(f"/api/v1/items/{item['id']}", headers=h).json()
    assert read["title"] == "A weekly digest e-mail"
    twice = s.client.post(f"/api/v1/review-feedback/{fid}/to-item", headers=h)
    assert twice.status_code == 409


def test_retro_api(s: Setup) -> None:
    sid, h = s.sprints[1], s.bearer
    got = s.client.get(f"/api/v1/sprints/{sid}/retro", headers=h).json()
    assert got["format"] == "start_stop_continue"
    assert [c["key"] for c in got["columns"]] == ["start", "stop", "continue"]
    unknown = s.client.put(f"/api/v1/sprints/{sid}/retro", json={"format": "kpt"}, headers=h)
    assert unknown.status_code == 422 and set(unknown.json()["error"]["fields"]) == {"format"}
    four = s.client.put(
        f"/api/v1/sprints/{sid}/retro", json={"format": "four_ls", "dots": 1}, headers=h
    )
    assert [c["key"] for c in four.json()["columns"]][-1] == "longed_for"
    empty = s.client.post(
        f"/api/v1/sprints/{sid}/retro/cards", json={"column": "liked", "text": " "}, headers=h
    )
    assert empty.status_code == 422 and set(empty.json()["error"]["fields"]) == {"text"}
    card = s.client.post(
        f"/api/v1/sprints/{sid}/retro/cards", json={"column": "liked", "text": "Demos"}, headers=h
    ).json()
    assert s.client.post(f"/api/v1/retro-cards/{card['id']}/votes", headers=h).json()["votes"] == 1
    spent = s.client.post(f"/api/v1/retro-cards/{card['id']}/votes", headers=h)
    assert spent.status_code == 409
    edited = s.client.patch(
        f"/api/v1/retro-cards/{card['id']}", json={"text": "Live demos"}, headers=h
    )
    assert edited.json() == {
        "id": card["id"], "column": "liked", "text": "Live demos", "votes": 1, "mine": 1
    }  # fmt: skip
    back = s.client.delete(f"/api/v1/retro-cards/{card['id']}/votes", headers=h)
    assert back.json()["votes"] == 0
    assert s.client.delete(f"/api/v1/retro-cards/{card['id']}", headers=h).status_code == 204
    final = s.client.get(f"/api/v1/sprints/{sid}/retro", headers=h).json()
    assert all(c["cards"] == [] for c in final["columns"]) and final["dots_left"] == 1


def test_action_items_api(s: Setup) -> None:
    s1, s2 = s.sprints
    h, url = s.bearer, f"/api/v1/products/{s.pid}/actions"
    bad = s.client.post(url, json={"text": "Pair", "owner_id": s.outsider_id}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {
        "owner_id": "The owner must be a member of the product."
    }
    made = s.client.post(
        url, json={"text": "Pair", "owner_id": s.member_id, "sprint_id": s1, "due_sprint_id": s2},
        headers=h,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    action = made.json()
    assert (action["sprint_id"], action["due_sprint_id"], action["owner_name"]) == (s1, s2, "Dev")
    retro = s.client.get(f"/api/v1/sprints/{s2}/retro", headers=h).json()
    assert [a["id"] for a in retro["carried_over"]] == [action["id"]]
    wrong = s.client.patch(f"/api/v1/actions/{action['id']}", json={"status": "closed"}, headers=h)
    assert wrong.status_code == 422 and set(wrong.json()["error"]["fields"]) == {"status"}
    done = s.client.patch(f"/api/v1/actions/{action['id']}", json={"status": "done"}, headers=h)
    assert done.json()["status"] == "done"
    assert s.client.get(f"{url}?status=open", headers=h).json() == []
    assert s.client.get(f"{url}?status=nope", headers=h).status_code == 422


# --- pages ---------------------------------------------------------------------------------


def _browser(s: Setup, email: str) -> str:
    s.client.headers.pop("Authorization", None)
    return sign_in(s.client, email)


def test_review_page_flow(s: Setup) -> None:
    token = _browser(s, "po@example.org")
    base = f"/products/{s.pid}/sprints/{s.sprints[0]}/review"
    page = s.client.get(base)
    assert page.status_code == 200
    assert "Goal of Sprint 1" in page.text and "No item of this sprint is done yet." in page.text
    r = s.client.post(
        f"{base}/feedback",
        data={"who": "Ana", "what": "Bulk export", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#feedback")
    assert "Make a backlog item" in s.client.get(base).text
    fid = re.search(r'id="feedback-(\d+)"', s.client.get(base).text)
    assert fid is not None
    r = s.client.post(f"{base}/feedback/{fid.group(1)}/to-item", data={"csrf_token": token})
    assert r.status_code == 200 and "Backlog item #" in r.text and "Bulk export" in r.text
    refused = s.client.post(
        base, data={"progress_percent": "150", "goal_verdict": "met", "csrf_token": token}
    )
    assert refused.status_code == 422
    text = _text(refused.text)
    assert "Write a percentage from 0 to 100." in text
    assert 'value="150"' in refused.text and "checked" in refused.text  # what was typed stays
    ok = s.client.post(
        base,
        data={"progress_percent": "20", "op": "hold", "csrf_token": token},
        follow_redirects=True,
    )
    assert "read-only" in ok.text and "Reopen the review" in ok.text
    assert "Progress toward the Product Goal" in ok.text and "<svg" in ok.text


def test_a_team_member_saves_the_review_without_the_pos_fields(s: Setup) -> None:
    token = _browser(s, "dev@example.org")
    base = f"/products/{s.pid}/sprints/{s.sprints[0]}/review"
    page = s.client.get(base).text
    assert 'name="goal_verdict"' in page and 'name="progress_percent"' not in page
    r = s.client.post(
        base, data={"goal_verdict": "partly", "attendees": "Ana", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    assert (
        s.client.get(f"/products/{s.pid + 1000}/sprints/{s.sprints[0]}/review").status_code == 404
    )


def test_retro_page_flow(s: Setup) -> None:
    token = _browser(s, "dev@example.org")
    s1, s2 = s.sprints
    base = f"/products/{s.pid}/sprints/{s1}/retro"
    assert "Start" in s.client.get(base).text
    r = s.client.post(f"{base}/cards", data={"column": "stop", "text": "", "csrf_token": token})
    assert r.status_code == 422 and "Write something on the card." in r.text
    r = s.client.post(
        f"{base}/cards", data={"column": "stop", "text": "Long meetings", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    card = re.search(r"#card-(\d+)$", r.headers["location"])
    assert card is not None
    cid = card.group(1)
    s.client.post(f"{base}/cards/{cid}/vote", data={"op": "up", "csrf_token": token})
    page = s.client.get(base).text
    assert "You have 2 of your 3 dots left." in _text(page)
    assert re.search(rf'id="card-{cid}".*?class="dot-count">1<', page, re.S)
    r = s.client.post(f"{base}/cards/{cid}", data={"text": " ", "csrf_token": token})
    assert r.status_code == 422 and f'id="e-edit-{cid}"' in r.text
    r = s.client.post(
        f"{base}/actions",
        data={"text": "Time-box meetings", "owner_id": str(s.member_id), "csrf_token": token},
        follow_redirects=False,
    )
    assert r.headers["location"].endswith("#actions")
    later = s.client.get(f"/products/{s.pid}/sprints/{s2}/retro").text
    assert "Time-box meetings" in later.split('id="carried"')[1].split('id="actions"')[0]
    r = s.client.post(f"{base}/actions", data={"text": "", "owner_id": "", "csrf_token": token})
    assert r.status_code == 422
    assert "Say what the team will do." in r.text and "Choose the owner" in r.text


def test_actions_page(s: Setup) -> None:
    token = _browser(s, "po@example.org")
    url = f"/products/{s.pid}/actions"
    r = s.client.post(
        url, data={"text": "Meet users", "owner_id": str(s.member_id), "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    page = s.client.get(url).text
    aid = re.search(r'id="action-(\d+)"', page)
    assert aid is not None and "Meet users" in page
    r = s.client.post(
        f"{url}/{aid.group(1)}",
        data={"status": "done", "next": "https://evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"{url}#action-{aid.group(1)}"  # no open redirect
    assert "Meet users" in s.client.get(f"{url}?status=done").text
    assert "Meet users" not in s.client.get(f"{url}?status=open").text
    refused = s.client.post(
        url, data={"text": "x", "owner_id": str(s.outsider_id), "csrf_token": token}
    )
    assert refused.status_code == 422 and "must be a member" in refused.text
