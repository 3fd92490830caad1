"""Report pages, chart downloads and the charts API, on both engines.

The scheduler is off here (its own tests drive it), so the only snapshots are the ones a
test takes."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jalon.app import create_app
from jalon.backlog import services as backlog
from jalon.backlog.models import Item
from jalon.charts.png import PNG_SIGNATURE
from jalon.history import queries, services
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.settings import Settings
from jalon.sprints.models import Sprint, Team
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in

PRODUCT_KINDS = ("cumulative-flow", "cycle-time", "throughput", "aging-wip", "velocity")


@pytest.fixture
def web(settings: Settings, db: Database) -> Iterator[TestClient]:
    app = create_app(replace(settings, snapshot_in_server=False), database=db)
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def _set(db: Database, item_id: int, **fields: Any) -> None:
    with db.uow() as uow:
        item = uow.session.get(Item, item_id)
        assert item is not None
        for name, value in fields.items():
            setattr(item, name, value)
        uow.commit()


@pytest.fixture
def product(web: TestClient, db: Database) -> tuple[Actor, int, int]:
    """A signed-in PO, a product with a week of history, and a sprint running today."""
    po = actor(make_user(db, "po@example.org", name="Camille"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    today = queries.today_utc()
    with db.uow() as uow:
        team = Team(product_id=pid, name="Core")
        uow.add(team)
        uow.flush()
        sprint = Sprint(
            product_id=pid,
            team_id=team.id,
            name="Sprint 7",
            goal="Pay",
            starts_on=today - timedelta(3),
            ends_on=today + timedelta(4),
        )
        uow.add(sprint)
        uow.commit()
        sid = sprint.id
    ids = [
        backlog.create_item(
            db.uow(), actor=po, product_id=pid, values={"title": f"Story {n}", "estimate": "3"}
        ).id
        for n in range(4)
    ]
    for item_id in ids[:3]:
        _set(db, item_id, sprint_id=sid)
    for offset, (item_id, status) in enumerate(
        [(ids[0], "in_progress"), (ids[0], "done"), (ids[1], "in_progress")]
    ):
        services.take_snapshot(
            db.uow(), actor=po, product_id=pid, day=today - timedelta(5 - 2 * offset), today=today
        )
        _set(db, item_id, status=status)
    sign_in(web, "po@example.org")
    return po, pid, sid


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_reports_page_shows_every_chart_with_its_table_and_downloads(
    web: TestClient, product: tuple[Actor, int, int]
) -> None:
    _po, pid, sid = product
    page = web.get(f"/products/{pid}/reports")
    assert page.status_code == 200
    for kind in PRODUCT_KINDS:
        assert f'aria-labelledby="{kind}-title" aria-describedby="{kind}-desc"' in page.text
        assert f'href="/products/{pid}/reports/{kind}.svg?start=' in page.text
        assert f'href="/products/{pid}/reports/{kind}.png?start=' in page.text
    text = _text(page.text)
    assert "Cumulative flow" in text and "Aging work in progress" in text
    assert "Show the figures as a table" in text
    assert f'href="/products/{pid}/sprints/{sid}/charts"' in page.text


def test_a_download_is_the_pages_own_chart_as_svg_and_png(
    web: TestClient, product: tuple[Actor, int, int]
) -> None:
    _po, pid, _sid = product
    svg = web.get(f"/products/{pid}/reports/cycle-time.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert (
        svg.text.startswith("<svg")
        and '<title id="cycle-time-title">Cycle time</title>' in svg.text
    )
    assert "#1 Story 0" in svg.text  # the done item is a dot with its title
    png = web.get(f"/products/{pid}/reports/cycle-time.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png.content[16:24])
    assert (width, height) == (760, 400)


def test_a_bad_range_says_which_field_is_wrong(
    web: TestClient, product: tuple[Actor, int, int]
) -> None:
    _po, pid, _sid = product
    page = web.get(f"/products/{pid}/reports?start=2026-05-01&end=2026-04-01")
    assert page.status_code == 422
    assert 'id="r-end-error"' in page.text and "must not be before" in page.text
    api = web.get(f"/api/v1/products/{pid}/charts/throughput?start=yesterday")
    assert api.status_code == 422 and "start" in api.json()["error"]["fields"]


def test_the_sprint_page_shows_its_burndown_and_burnup(
    web: TestClient, product: tuple[Actor, int, int]
) -> None:
    _po, pid, sid = product
    page = web.get(f"/products/{pid}/sprints/{sid}/charts")
    assert page.status_code == 200
    assert f'aria-labelledby="burndown-{sid}-title"' in page.text
    assert f'href="/products/{pid}/sprints/{sid}/charts/burnup.png"' in page.text
    assert "Burndown: Sprint 7" in _text(page.text)
    png = web.get(f"/products/{pid}/sprints/{sid}/charts/burndown.png")
    assert png.content.startswith(PNG_SIGNATURE)


def test_the_api_returns_a_charts_series(
    web: TestClient, db: Database, product: tuple[Actor, int, int]
) -> None:
    _po, pid, sid = product
    body = web.get(f"/api/v1/products/{pid}/charts/burndown?sprint_id={sid}").json()
    assert body["kind"] == "line" and body["x"]["kind"] == "date"
    series = {s["key"]: s for s in body["series"]}
    assert set(series) == {"remaining", "scope", "ideal"}
    assert series["scope"]["points"][-1]["y"] == 9  # three items of 3 points, read live today
    flow = web.get(f"/api/v1/products/{pid}/charts/cumulative-flow").json()
    assert [s["key"] for s in flow["series"]] == ["done", "in_progress", "ready", "new"]
    days = web.get(f"/api/v1/products/{pid}/snapshots").json()
    assert len(days) == 3 and days[0]["changed"] == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("charts/sideways", 422),
        ("charts/burndown", 422),  # no sprint_id
        ("charts/burnup?sprint_id=999999", 404),
    ],
)
def test_bad_chart_requests_get_a_clear_4xx(
    web: TestClient, product: tuple[Actor, int, int], path: str, status: int
) -> None:
    _po, pid, _sid = product
    response = web.get(f"/api/v1/products/{pid}/{path}")
    assert response.status_code == status
    assert response.json()["error"]["message"]
