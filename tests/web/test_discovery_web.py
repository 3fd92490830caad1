"""Discovery over HTTP: the tree API (levels enforced, evidence counted), experiments and
decisions (422 per field, backlog items made in the same transaction), the A/B endpoints,
and the pages (tree, node, experiment, assumption map and its downloads, calculator, vision
board and personas), in both languages where it matters."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jalon.accounts import services as accounts
from jalon.backlog.models import Item
from jalon.feedback.models import Feedback, FeedbackLink
from jalon.signals.models import Feed, FeedEntry, MarketSignal
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


def _node(
    api: TestClient, pid: int, kind: str, parent: int | None, title: str, **extra: Any
) -> int:
    body = {"kind": kind, "parent_id": parent, "title": title, **extra}
    r = api.post(f"/api/v1/products/{pid}/tree/nodes", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _tree(api: TestClient) -> tuple[int, dict[str, int]]:
    pid = int(api.post("/api/v1/products", json={"name": "Atlas"}).json()["id"])
    o = _node(api, pid, "outcome", None, "Trial users reach a first report in a day")
    op = _node(api, pid, "opportunity", o, "Setting up data sources is confusing")
    s = _node(api, pid, "solution", op, "Guided import wizard")
    a = _node(api, pid, "assumption", s, "Users have a CSV at hand", importance=0.9, evidence=0.2)
    return pid, {"outcome": o, "opportunity": op, "solution": s, "assumption": a}


def test_api_builds_the_tree_level_by_level(api: TestClient, db: Database) -> None:
    pid, ids = _tree(api)
    with db.uow() as uow:
        feedback = Feedback(product_id=pid, text="I gave up on connecting my database")
        uow.add(feedback)
        uow.flush()
        uow.add(FeedbackLink(feedback_id=feedback.id, opportunity_id=ids["opportunity"]))
        uow.commit()
    with db.uow() as uow:
        feed = Feed(product_id=pid, name="News", url="https://example.org/rss")
        uow.add(feed)
        uow.flush()
        entry = FeedEntry(
            feed_id=feed.id,
            key="a",
            title="Rival ships a data wizard",
            link="https://example.org/a",
            published_at=datetime(2026, 11, 2, tzinfo=UTC),
        )
        uow.add(entry)
        uow.flush()
        uow.add(MarketSignal(product_id=pid, entry_id=entry.id, opportunity_id=ids["opportunity"]))
        uow.commit()
    page = _text(api.get(f"/discovery/nodes/{ids['opportunity']}").text)
    assert "I gave up on connecting my database" in page and "Rival ships a data wizard" in page
    assert "Market signals: 1" in page
    tree = api.get(f"/api/v1/products/{pid}/tree").json()
    outcome = tree["roots"][0]
    opportunity = outcome["children"][0]
    assert (opportunity["evidence_count"], opportunity["signal_count"]) == (1, 1)
    assumption = opportunity["children"][0]["children"][0]
    assert (assumption["kind"], assumption["importance"]) == ("assumption", 0.9)
    wrong = api.post(
        f"/api/v1/products/{pid}/tree/nodes",
        json={"kind": "solution", "parent_id": ids["outcome"], "title": "X"},
    )
    assert wrong.status_code == 422 and "parent_id" in wrong.json()["error"]["fields"]
    orphan = api.post(
        f"/api/v1/products/{pid}/tree/nodes", json={"kind": "opportunity", "title": "Y"}
    )
    assert orphan.status_code == 422 and "parent_id" in orphan.json()["error"]["fields"]


def test_api_hypothesis_experiment_and_decision(api: TestClient, db: Database) -> None:
    _pid, ids = _tree(api)
    parts = {
        "capability": "a guided import",
        "people": "trial users",
        "outcome": "more first reports",
        "signal": "60 % finish the import",
    }
    assert (
        api.put(f"/api/v1/tree/nodes/{ids['solution']}/hypothesis", json=parts).status_code == 200
    )
    bad = api.put(f"/api/v1/tree/nodes/{ids['outcome']}/hypothesis", json=parts)
    assert bad.status_code == 422
    plan = {
        "title": "Ask ten trial users",
        "method": "interview",
        "metric": "have a CSV",
        "unit": "%",
        "operator": ">=",
        "threshold": 60,
    }
    r = api.post(f"/api/v1/tree/nodes/{ids['assumption']}/experiments", json=plan)
    assert r.status_code == 201 and r.json()["met"] is None
    eid = r.json()["id"]
    # No result yet: the decision cannot be judged, and nothing is written.
    early = api.post(
        f"/api/v1/experiments/{eid}/decision",
        json={"decision": "persevere", "rationale": "Looks fine", "items": ["A"]},
    )
    assert early.status_code == 422 and "result" in early.json()["error"]["fields"]
    mismatch = api.post(
        f"/api/v1/experiments/{eid}/decision",
        json={"decision": "persevere", "rationale": "r", "result": 70, "result_unit": "users"},
    )
    assert mismatch.status_code == 422 and "result_unit" in mismatch.json()["error"]["fields"]
    with db.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Item)) == 0
    done = api.post(
        f"/api/v1/experiments/{eid}/decision",
        json={
            "decision": "persevere",
            "rationale": "7 of 10 had one",
            "result": 70,
            "result_unit": "%",
            "items": ["Build the CSV import wizard", "Sample CSV file"],
        },
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["met"] is True and body["decision"] == "persevere" and len(body["item_ids"]) == 2
    titles = [api.get(f"/api/v1/items/{i}").json()["title"] for i in body["item_ids"]]
    assert titles == ["Build the CSV import wizard", "Sample CSV file"]
    assert api.get(f"/api/v1/experiments/{eid}").json()["item_ids"] == body["item_ids"]


def test_api_ab_endpoints(api: TestClient) -> None:
    r = api.post(
        "/api/v1/ab/test",
        json={
            "control_n": 1000,
            "control_conversions": 100,
            "variant_n": 1000,
            "variant_conversions": 130,
        },
    )
    assert r.status_code == 200
    assert r.json()["p_value"] == pytest.approx(0.0355, abs=1e-4) and r.json()["significant"]
    bad = api.post(
        "/api/v1/ab/test",
        json={"control_n": 0, "control_conversions": 5, "variant_n": 10, "variant_conversions": 11},
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"control_n", "variant_conversions"}
    plan = api.post("/api/v1/ab/sample-size", json={"baseline": 0.1, "effect": 0.02})
    assert plan.json()["per_arm"] == 3841
    out = api.post("/api/v1/ab/sample-size", json={"baseline": 1.5, "effect": 0.02})
    assert out.status_code == 422 and "baseline" in out.json()["error"]["fields"]


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def browser(api: TestClient) -> tuple[TestClient, str, int, dict[str, int]]:
    pid, ids = _tree(api)
    del api.headers["Authorization"]
    token = sign_in(api, "po@example.org")
    return api, token, pid, ids


def test_tree_page_shows_the_nested_tree_and_adds_nodes(browser: Any) -> None:
    client, token, pid, ids = browser
    page = client.get(f"/products/{pid}/discovery/tree")
    assert page.status_code == 200
    html = page.text
    # Nested: the solution's list item sits inside the opportunity's.
    start = html.index(f'id="node-{ids["opportunity"]}"')
    assert html.index(f'id="node-{ids["solution"]}"') > start
    r = client.post(
        f"/products/{pid}/discovery/tree/nodes",
        data={
            "csrf_token": token,
            "kind": "opportunity",
            "parent_id": str(ids["outcome"]),
            "title": "Reports look empty at first",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Reports look empty at first" in client.get(f"/products/{pid}/discovery/tree").text
    blank = client.post(
        f"/products/{pid}/discovery/tree/nodes",
        data={
            "csrf_token": token,
            "kind": "solution",
            "parent_id": str(ids["opportunity"]),
            "title": " ",
        },
    )
    assert blank.status_code == 422 and "Give the node a title." in blank.text


def test_node_page_edits_moves_and_deletes(browser: Any) -> None:
    client, token, _pid, ids = browser
    nid = ids["assumption"]
    bad = client.post(
        f"/discovery/nodes/{nid}/edit",
        data={
            "csrf_token": token,
            "title": "Users have a CSV",
            "importance": "2",
            "evidence": "0.1",
        },
    )
    assert bad.status_code == 422 and "between 0 and 1" in bad.text
    client.post(
        f"/discovery/nodes/{nid}/hypothesis",
        data={
            "csrf_token": token,
            "capability": "a sample file",
            "people": "new users",
            "outcome": "faster imports",
            "signal": "half use it",
        },
    )
    page = client.get(f"/discovery/nodes/{nid}").text
    assert "We believe a sample file for new users will result in faster imports." in _text(page)
    client.cookies.set("jalon_lang", "fr")
    client.post("/language", data={"csrf_token": token, "language": "fr", "next": "/"})
    fr = _text(client.get(f"/discovery/nodes/{nid}").text)
    assert "a sample file" in fr and "new users" in fr
    r = client.post(
        f"/discovery/nodes/{ids['solution']}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get(f"/discovery/nodes/{nid}").status_code == 404  # gone with its parent


def test_experiment_page_evaluates_and_decides(browser: Any, db: Database) -> None:
    client, token, pid, ids = browser
    r = client.post(
        f"/discovery/nodes/{ids['assumption']}/experiments",
        data={
            "csrf_token": token,
            "title": "Pricing A/B",
            "method": "ab_test",
            "threshold": "10",
            "alpha": "0.05",
            "operator": ">=",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
    )
    assert r.status_code == 422 and "cannot end before it starts" in r.text
    r = client.post(
        f"/discovery/nodes/{ids['assumption']}/experiments",
        data={
            "csrf_token": token,
            "title": "Pricing A/B",
            "method": "ab_test",
            "threshold": "10",
            "alpha": "0.05",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"]
    assert "cannot be evaluated yet" in client.get(url).text
    eid = url.rsplit("/", 1)[1]
    client.post(
        f"/discovery/experiments/{eid}/edit",
        data={
            "csrf_token": token,
            "part": "result",
            "control_n": "1000",
            "control_conversions": "100",
            "variant_n": "1000",
            "variant_conversions": "130",
        },
    )
    page = _text(client.get(url).text)
    assert "Threshold met" in page and "0.0355" in page
    missing = client.post(
        f"/discovery/experiments/{eid}/decision", data={"csrf_token": token, "decision": "pivot"}
    )
    assert missing.status_code == 422 and "rationale" in missing.text.lower()
    client.post(
        f"/discovery/experiments/{eid}/decision",
        data={
            "csrf_token": token,
            "decision": "persevere",
            "rationale": "Clear win",
            "items": "Ship the new pricing page",
        },
    )
    with db.reader() as uow:
        titles = list(uow.session.scalars(select(Item.title).where(Item.product_id == pid)))
    assert titles == ["Ship the new pricing page"]


def test_assumption_map_page_and_downloads(browser: Any) -> None:
    client, _token, pid, _ids = browser
    page = client.get(f"/products/{pid}/discovery/assumptions")
    assert page.status_code == 200
    assert 'aria-labelledby="assumption-map-title"' in page.text
    assert "Users have a CSV at hand" in page.text  # in the test-first list and the table
    svg = client.get(f"/products/{pid}/discovery/assumption-map.svg")
    assert svg.text.startswith("<svg") and "Test first" in svg.text
    png = client.get(f"/products/{pid}/discovery/assumption-map.png")
    assert png.content.startswith(b"\x89PNG")
    assert client.get(f"/products/{pid}/discovery/assumption-map.gif").status_code == 404


def test_ab_calculator_page(browser: Any) -> None:
    client, _token, pid, _ids = browser
    base = f"/products/{pid}/discovery/ab"
    ok = client.get(
        base,
        params={
            "form": "plan",
            "baseline": "0.1",
            "effect": "0.02",
            "alpha": "0.05",
            "power": "0.8",
        },
    )
    assert ok.status_code == 200 and "3,841 visitors per arm" in _text(ok.text)
    bad = client.get(
        base,
        params={
            "form": "test",
            "control_n": "10",
            "control_conversions": "12",
            "variant_n": "x",
            "variant_conversions": "1",
        },
    )
    assert bad.status_code == 422 and "Give a number." in bad.text
    assert client.get(base).status_code == 200


def test_vision_board_and_personas(browser: Any) -> None:
    client, token, pid, _ids = browser
    client.post(
        f"/products/{pid}/edit",
        data={
            "csrf_token": token,
            "name": "Atlas",
            "vision": "Reports for everyone",
            "target_users": "",
            "product_goal": "",
        },
    )
    empty = client.get(f"/products/{pid}/discovery/vision").text
    assert (
        "starts from the product&#39;s vision" in empty
        and ">Reports for everyone</textarea>" in empty
    )
    r = client.post(
        f"/products/{pid}/discovery/vision",
        data={
            "csrf_token": token,
            "vision": "Reports **anyone** can trust <script>x()</script>",
            "target_group": "Small teams",
            "needs": "",
            "product": "",
            "business_goals": "",
        },
    )
    assert r.status_code == 200  # followed the redirect
    assert "<strong>anyone</strong>" in r.text and "<script>x()" not in r.text
    made = client.post(
        f"/products/{pid}/discovery/personas",
        data={
            "csrf_token": token,
            "name": "Nadia",
            "role": "Ops lead",
            "quote": "Just tell me why",
            "goals": "Fewer surprises",
            "frustrations": "Exports",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    twice = client.post(
        f"/products/{pid}/discovery/personas", data={"csrf_token": token, "name": "Nadia"}
    )
    assert twice.status_code == 409 and "already named" in twice.text
    assert "Just tell me why" in client.get(f"/products/{pid}/discovery/vision").text


def test_a_measured_experiment_reads_as_met_or_missed(browser: Any) -> None:
    client, token, _pid, ids = browser
    r = client.post(
        f"/discovery/nodes/{ids['assumption']}/experiments",
        data={
            "csrf_token": token,
            "title": "Ask ten users",
            "method": "interview",
            "metric": "have a CSV",
            "unit": "%",
            "operator": ">=",
            "threshold": "60",
        },
        follow_redirects=False,
    )
    url = r.headers["location"]
    eid = url.rsplit("/", 1)[1]
    wrong = client.post(
        f"/discovery/experiments/{eid}/edit",
        data={"csrf_token": token, "part": "result", "result": "lots", "result_unit": "%"},
    )
    assert wrong.status_code == 422 and "is not a number" in wrong.text
    client.post(
        f"/discovery/experiments/{eid}/edit",
        data={"csrf_token": token, "part": "result", "result": "40", "result_unit": "%"},
    )
    page = _text(client.get(url).text)
    assert "Threshold missed — result 40 against >= 60 %" in page
    client.post(
        f"/discovery/experiments/{eid}/edit",
        data={"csrf_token": token, "part": "result", "result": "70", "result_unit": "users"},
    )
    assert "The result is in 'users' but the threshold is in '%'." in _text(client.get(url).text)
