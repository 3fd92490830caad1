"""The forecasting API and page: percentiles, histogram, calibration, errors per field,
excluded days, and who may do what."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.db import utcnow
from jalon.products import services as products
from jalon.uow import Database
from tests.integration.test_forecasting_history import seed_done
from tests.support.helpers import actor, make_user, sign_in

LEVELS = [50, 70, 85, 95]


def today() -> date:
    return utcnow().date()


@pytest.fixture
def bare(db: Database) -> int:
    po = make_user(db, "po@example.org", name="Camille")
    return products.create_product(db.uow(), actor=actor(po), name="Atlas").id


@pytest.fixture
def pid(db: Database, bare: int) -> int:
    """A product whose team has finished exactly two items a day for 150 days."""
    start = today() - timedelta(days=150)
    seed_done(db, bare, {start + timedelta(days=i): 2 for i in range(150)})
    return bare


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    user = make_user(db, "api@example.org", admin=True)
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(user), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def test_when_forecast_returns_percentiles_histogram_and_calibration(
    api: TestClient, pid: int
) -> None:
    r = api.post(f"/api/v1/products/{pid}/forecast", json={"mode": "when", "items": 10, "seed": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    day5 = (today() + timedelta(days=4)).isoformat()
    assert [p["level"] for p in body["percentiles"]] == LEVELS
    assert {p["date"] for p in body["percentiles"]} == {day5}
    assert {p["days"] for p in body["percentiles"]} == {5}
    assert body["histogram"] == [{"low": 5, "high": 5, "trials": 10_000}]
    assert body["history"]["days"] == 84 and body["history"]["done"] == 168
    assert body["trials"] == 10_000 and body["window"] == 84 and body["seed"] == 1
    calibration = body["calibration"]
    assert (calibration["held"], calibration["windows"]) == (20, 20)
    assert calibration["reliable"] and body["reliable"]
    assert "held 20 times" in calibration["sentence"]
    assert not calibration["adjusted"] and calibration["lower_tail"] == 0.15  # a steady team
    assert "whole weeks of the history drawn at random" in body["method"]
    assert body["explanation"] is None and body["scope"]["remaining"] == 10


def test_how_many_forecast_and_the_same_seed_gives_the_same_answer(
    api: TestClient, pid: int
) -> None:
    ask = {"mode": "how_many", "date": (today() + timedelta(days=13)).isoformat(), "seed": 3,
           "trials": 500}  # fmt: skip
    first = api.post(f"/api/v1/products/{pid}/forecast", json=ask).json()
    assert first["horizon_days"] == 14
    assert [p["items"] for p in first["percentiles"]] == [28] * 4
    assert api.post(f"/api/v1/products/{pid}/forecast", json=ask).json() == first


def test_when_for_item_ids_and_for_an_epic(api: TestClient, pid: int) -> None:
    epic = api.post(f"/api/v1/products/{pid}/items", json={"title": "Checkout", "type": "epic"})
    assert epic.status_code == 201, epic.text
    epic_id = epic.json()["id"]
    ids = []
    for n in range(4):
        r = api.post(f"/api/v1/products/{pid}/items",
                     json={"title": f"Story {n}", "parent_id": epic_id})  # fmt: skip
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    by_ids = api.post(f"/api/v1/products/{pid}/forecast",
                      json={"mode": "when", "items": ids[:3], "seed": 1}).json()  # fmt: skip
    assert by_ids["scope"]["remaining"] == 3 and by_ids["percentiles"][0]["days"] == 2
    by_epic = api.post(f"/api/v1/products/{pid}/forecast",
                       json={"mode": "when", "epic_id": epic_id, "seed": 1}).json()  # fmt: skip
    assert by_epic["scope"]["remaining"] == 4 and by_epic["percentiles"][0]["days"] == 2
    assert "Checkout" in by_epic["scope"]["label"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"mode": "when", "items": 0}, {"items"}),
        ({"mode": "when"}, {"items"}),
        ({"mode": "how_many", "date": "2001-01-01"}, {"date"}),
        ({"mode": "how_many"}, {"date"}),
        ({"mode": "when", "items": 5, "trials": 99, "window": 3}, {"trials", "window"}),
        ({"mode": "when", "items": 5, "trials": 1_000_001}, {"trials"}),
        ({"mode": "soon", "items": 5}, {"mode"}),
        ({"mode": "when", "items": [999_999]}, {"items"}),
        ({"mode": "when", "epic_id": 999_999}, {"epic_id"}),
        ({"mode": "how_many", "date": "someday"}, {"date"}),
        ({"mode": "when", "items": 5, "seed": -1}, {"seed"}),
    ],
)
def test_bad_input_answers_422_per_field(
    api: TestClient, bare: int, body: dict[str, object], fields: set[str]
) -> None:
    r = api.post(f"/api/v1/products/{bare}/forecast", json=body)
    assert r.status_code == 422, r.text
    assert set(r.json()["error"]["fields"]) == fields


def test_no_history_gives_an_explanation_not_a_number(api: TestClient, bare: int) -> None:
    r = api.post(f"/api/v1/products/{bare}/forecast", json={"mode": "when", "items": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["percentiles"] is None and body["calibration"] is None
    assert "Not enough history" in body["explanation"] and not body["reliable"]


def test_excluded_days_round_trip_and_change_the_history(api: TestClient, pid: int) -> None:
    base = f"/api/v1/products/{pid}/forecast/excluded-days"
    first = today() - timedelta(days=7)
    r = api.post(base, json={"first": first.isoformat(), "last": (first + timedelta(days=2))
                             .isoformat(), "reason": "Holiday"})  # fmt: skip
    assert r.status_code == 201, r.text
    assert [d["day"] for d in r.json()] == [(first + timedelta(days=i)).isoformat()
                                            for i in range(3)]  # fmt: skip
    assert len(api.get(base).json()) == 3
    history = api.post(f"/api/v1/products/{pid}/forecast",
                       json={"mode": "when", "items": 4}).json()["history"]  # fmt: skip
    assert history["excluded_days"] == 3 and history["done"] == 162
    assert api.delete(f"{base}/{first.isoformat()}").status_code == 204
    assert api.delete(f"{base}/{first.isoformat()}").status_code == 404
    bad = api.post(base, json={"first": "2026-05-10", "last": "2026-05-01"})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"last"}


def test_page_runs_a_forecast_and_shows_results(client: TestClient, db: Database, pid: int) -> None:
    sign_in(client, make_user(db, "page@example.org", admin=True).email)
    page = client.get(f"/products/{pid}/forecast")
    assert page.status_code == 200 and "Ask a forecast" in page.text
    assert 'id="forecast-throughput' in page.text or "forecast-throughput" in page.text
    r = client.get(f"/products/{pid}/forecast", params={"mode": "when", "items": "10", "seed": "1"})
    assert r.status_code == 200
    assert (today() + timedelta(days=4)).isoformat() in r.text
    assert "held 20 times" in r.text and "forecast-histogram" in r.text
    assert "forecast-calibration" in r.text and "whole weeks of the history" in r.text
    fragment = client.get(f"/products/{pid}/forecast", params={"mode": "when", "items": "10"},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert "<html" not in fragment.text and "forecast-histogram" in fragment.text


def test_page_shows_errors_next_to_fields(client: TestClient, db: Database, pid: int) -> None:
    sign_in(client, make_user(db, "page@example.org", admin=True).email)
    r = client.get(f"/products/{pid}/forecast", params={"mode": "when", "items": "abc",
                                                        "trials": "5"})  # fmt: skip
    assert r.status_code == 422
    assert re.search(r'id="e-items"[^>]*>[^<]*item ids', r.text)
    assert 'id="e-trials"' in r.text


def test_page_excludes_and_puts_back_a_day(client: TestClient, db: Database, pid: int) -> None:
    token = sign_in(client, make_user(db, "x@example.org", admin=True).email)
    day = (today() - timedelta(days=3)).isoformat()
    r = client.post(f"/products/{pid}/forecast/excluded-days",
                    data={"first": day, "reason": "Server outage", "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Server outage" in page.text and "left out of the history now" in page.text
    r = client.post(f"/products/{pid}/forecast/excluded-days/{day}/delete",
                    data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert "Server outage" not in client.get(r.headers["location"]).text
    bad = client.post(f"/products/{pid}/forecast/excluded-days",
                      data={"first": "", "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422 and 'id="e-x-first"' in bad.text


def _link(page: str, kind: str) -> str:
    found = re.search(rf'href="(/products/\d+/forecast/{kind}\.svg\?[^"]*)"', page)
    assert found, f"no {kind} download on the page"
    return found.group(1).replace("&amp;", "&")


def test_forecast_charts_download_the_forecast_the_page_drew(
    client: TestClient, db: Database, pid: int
) -> None:
    sign_in(client, make_user(db, "page@example.org", admin=True).email)
    page = client.get(f"/products/{pid}/forecast", params={"mode": "when", "items": "10"}).text
    histogram = _link(page, "histogram")
    assert re.search(r"[?&]seed=\d+", histogram), "the link keeps the seed the page used"
    first, again = client.get(histogram), client.get(histogram)
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in first.text and first.text == again.text
    png = client.get(histogram.replace(".svg?", ".png?"))
    assert png.content.startswith(b"\x89PNG")
    calibration = client.get(_link(page, "calibration"))
    assert calibration.status_code == 200 and "held" in calibration.text
    assert client.get(_link(page, "throughput")).status_code == 200
    base = f"/products/{pid}/forecast"
    assert client.get(f"{base}/nothing.svg").status_code == 404
    assert client.get(histogram.replace(".svg?", ".gif?")).status_code == 404
    assert client.get(f"{base}/histogram.svg?mode=when&items=0").status_code == 422


def test_without_history_there_is_no_histogram_to_download(
    client: TestClient, db: Database, bare: int
) -> None:
    sign_in(client, make_user(db, "page@example.org", admin=True).email)
    r = client.get(f"/products/{bare}/forecast/histogram.svg?mode=when&items=5")
    assert r.status_code == 404 and "too little history" in r.text
