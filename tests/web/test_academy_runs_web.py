"""Academy runs over HTTP: the JSON API (start, turn, sprint, debrief, replay) and the pages
(scenarios, the turn form with its errors, the debrief and its exports, the sandbox banner)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from jalon.academy.sim import engine, policies
from jalon.academy.sim.scenario import load_scenario
from jalon.accounts import services as account_services
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in

ERROR_RE = re.compile(r'class="field-error"[^>]*>([^<]+)<')


def _bearer(db: Database, email: str) -> dict[str, str]:
    user = make_user(db, email)
    _token, raw = account_services.create_api_token(db.uow(), actor=actor(user), name="t")
    return {"Authorization": f"Bearer {raw}"}


def _policy_decisions(run: dict[str, Any], sprints_played: list[dict[str, Any]]) -> dict[str, Any]:
    """What the value-effort policy decides at this point of the same seed."""
    scenario = load_scenario(run["scenario"])
    log = [engine.Decisions.from_dict(d) for d in sprints_played]
    state, _outcomes = engine.replay(scenario, run["seed"], log)
    return policies.POLICIES["value-effort"](scenario, state).to_dict()


def test_the_api_plays_a_run_and_answers_for_it(client: TestClient, db: Database) -> None:
    tina = _bearer(db, "tina@example.org")
    scenarios = client.get("/api/v1/academy/scenarios", headers=tina).json()
    assert "saas" in [s["key"] for s in scenarios]
    made = client.post("/api/v1/academy/runs", json={"scenario": "saas", "seed": 4}, headers=tina)
    assert made.status_code == 201, made.text
    run = made.json()
    assert run["product_id"] and run["turn"]["sprint"] == 1 and run["status"] == "playing"
    bad = client.post(f"/api/v1/academy/runs/{run['id']}/sprint", json={}, headers=tina)
    assert bad.status_code == 422
    assert {"goal", "plan"} <= set(bad.json()["error"]["fields"])
    played: list[dict[str, Any]] = []
    for sprint in (1, 2):
        decisions = _policy_decisions(run, played)
        answer = client.post(
            f"/api/v1/academy/runs/{run['id']}/sprint", json=decisions, headers=tina
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["outcome"]["sprint"] == sprint
        assert answer.json()["run"]["turn"]["sprint"] == sprint + 1
        played.append(decisions)
    replay = client.get(f"/api/v1/academy/runs/{run['id']}/replay", headers=tina).json()
    assert replay["identical"] is True and replay["sprints"] == 2
    debrief = client.get(f"/api/v1/academy/runs/{run['id']}/debrief", headers=tina).json()
    assert debrief["complete"] is False and len(debrief["debrief"]["per_sprint"]) == 2
    assert 3 <= len(debrief["debrief"]["gaps"]) <= 5
    mine = client.get("/api/v1/academy/runs", headers=tina).json()
    assert [(r["id"], r["sprint"]) for r in mine] == [(run["id"], 2)]
    oscar = _bearer(db, "oscar@example.org")
    for url in ("", "/debrief", "/replay"):
        refused = client.get(f"/api/v1/academy/runs/{run['id']}{url}", headers=oscar)
        assert refused.status_code == 403, url
    assert client.get("/api/v1/academy/runs", headers=oscar).json() == []


def _form(decisions: dict[str, Any], token: str) -> dict[str, Any]:
    form: dict[str, Any] = {"goal": decisions["goal"], "plan": decisions["plan"]}
    form |= {"refine": decisions["refine"], "pay_debt": str(decisions["pay_debt"])}
    form |= {f"answer.{k}": v for k, v in decisions["answers"].items()}
    return form | {"csrf_token": token}


def test_the_pages_play_a_sprint_and_show_the_debrief(client: TestClient, db: Database) -> None:
    make_user(db, "tina@example.org")
    token = sign_in(client, "tina@example.org")
    assert "Relais" in client.get("/academy/scenarios").text
    refused = client.post(
        "/academy/runs", data={"scenario": "saas", "seed": "-3", "csrf_token": token}
    )
    assert refused.status_code == 422 and ERROR_RE.findall(refused.text)
    started = client.post(
        "/academy/runs", data={"scenario": "saas", "seed": "9", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 303
    url = started.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and "Plan sprint 1" in page.text
    empty = client.post(f"{url}/sprint", data={"goal": "", "csrf_token": token})
    assert empty.status_code == 422 and len(ERROR_RE.findall(empty.text)) >= 2
    run = {"scenario": "saas", "seed": 9}
    done = client.post(f"{url}/sprint", data=_form(_policy_decisions(run, []), token))
    assert done.status_code == 200 and "Sprint 1: what happened" in done.text
    assert "Plan sprint 2" in done.text
    debrief = client.get(f"{url}/debrief")
    assert debrief.status_code == 200 and "Informed policy" in debrief.text
    assert client.get(f"{url}/debrief.pdf").content[:4] == b"%PDF"
    assert "<html" in client.get(f"{url}/debrief.html").text
    log = client.get(f"{url}/log.json").json()
    assert log["seed"] == 9 and len(log["log"]) == 1
    product = re.search(r'href="/products/(\d+)/backlog"', done.text)
    assert product is not None
    backlog = client.get(f"/products/{product.group(1)}/backlog")
    assert "Academy sandbox" in backlog.text and f'href="{url}"' in backlog.text
    _the_sandbox_shows_the_sprint(client, product.group(1), _policy_decisions(run, [])["goal"])
    client.post(f"{url}/abandon", data={"csrf_token": token})
    late = client.post(f"{url}/sprint", data=_form(_policy_decisions(run, []), token))
    assert late.status_code == 409 and "This run is over" in late.text


def _the_sandbox_shows_the_sprint(client: TestClient, product_id: str, goal: str) -> None:
    """The played sprint is in the sandbox's sprint list, with its goal and charts."""
    listed = client.get(f"/products/{product_id}/sprints")
    assert listed.status_code == 200 and goal in listed.text
    found = re.search(rf'href="/products/{product_id}/sprints/(\d+)/plan">Sprint 1<', listed.text)
    assert found is not None, "Sprint 1 is listed"
    chart = client.get(
        f"/api/v1/products/{product_id}/charts/burndown", params={"sprint_id": found.group(1)}
    )
    assert chart.status_code == 200, chart.text
    series = {s["key"]: s["points"] for s in chart.json()["series"]}
    assert len(series["remaining"]) == 14, "one point a day of the sprint"
    assert series["remaining"][0]["y"] > 0
