"""Theme pages and API through the app: the list after a background re-clustering, its
progress fragment, corrections by form (errors shown on the page), similar feedback."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from jalon.accounts import queries
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.themes import runs
from jalon.themes.demo import add_sample_feedback
from jalon.themes.models import ClusteringRun, Theme
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in


def _setup(client: TestClient, db: Database) -> tuple[int, str]:
    po = make_user(db, "po@example.org")
    pid = products.create_product(db.uow(), actor=actor(po), name="Atlas").id
    add_sample_feedback(db, pid)
    return pid, sign_in(client, "po@example.org")


def _themes(db: Database, pid: int) -> list[Theme]:
    with db.reader() as uow:
        return list(
            uow.session.scalars(
                select(Theme).where(Theme.product_id == pid, Theme.state == "active")
            )
        )


def test_recluster_from_the_page_then_correct(client: TestClient, db: Database) -> None:
    pid, token = _setup(client, db)
    empty = client.get(f"/products/{pid}/themes")
    assert empty.status_code == 200 and "No theme yet" in empty.text
    started = client.post(
        f"/products/{pid}/themes/recluster", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303
    runs.join_all()
    with db.reader() as uow:
        run = uow.session.scalars(select(ClusteringRun)).one()
    assert run.state == "done"
    page = client.get(f"/products/{pid}/themes")
    themes = _themes(db, pid)
    assert len(themes) >= 2
    for theme in themes:
        assert f'href="/themes/{theme.id}"' in page.text
    assert "<polyline" in page.text and "Representative quotes" in page.text

    fragment = client.get(f"/clustering-runs/{run.id}/progress", headers={"HX-Request": "1"})
    assert fragment.headers.get("HX-Refresh") == "true" and "<html" not in fragment.text

    first, second = themes[0], themes[1]
    bad = client.post(f"/themes/{first.id}/rename", data={"csrf_token": token, "label": " "})
    assert bad.status_code == 422 and "Give the theme a name." in bad.text
    client.post(f"/themes/{first.id}/rename", data={"csrf_token": token, "label": "Exports"})
    merged = client.post(
        f"/themes/{second.id}/merge", data={"csrf_token": token, "into": str(first.id)},
        follow_redirects=False,
    )  # fmt: skip
    assert merged.headers["location"] == f"/themes/{first.id}"
    detail = client.get(f"/themes/{first.id}")
    assert "<h1>Exports</h1>" in detail.text
    assert second.id not in [t.id for t in _themes(db, pid)]


def test_a_second_run_while_one_runs_is_refused(client: TestClient, db: Database) -> None:
    pid, token = _setup(client, db)
    with db.uow() as uow:
        uow.add(ClusteringRun(product_id=pid, state="running", progress=0.3, step="clustering"))
        uow.commit()
    page = client.get(f"/products/{pid}/themes")
    assert 'hx-trigger="every 1s"' in page.text and 'value="30"' in page.text
    refused = client.post(f"/products/{pid}/themes/recluster", data={"csrf_token": token})
    assert refused.status_code == 409 and "already running" in refused.text
    api = client.post(f"/api/v1/products/{pid}/themes/recluster", headers={"X-CSRF-Token": token})
    assert api.status_code == 409 and api.json()["error"]["code"] == "conflict"


def test_api_themes_and_similar_feedback(client: TestClient, db: Database) -> None:
    pid, token = _setup(client, db)
    runs.recluster_now(db, actor=_owner(db), product_id=pid)
    body = client.get(f"/api/v1/products/{pid}/themes").json()
    assert body["run"]["state"] == "done" and body["themes"]
    theme = body["themes"][0]
    assert theme["quotes"] and len(theme["weekly_counts"]) == 12 and theme["size"] >= 1
    member = client.get(f"/api/v1/themes/{theme['id']}").json()["members"][0]["feedback_id"]
    similar = client.get(f"/api/v1/feedback/{member}/similar?limit=3").json()
    assert 1 <= len(similar) <= 3 and member not in [s["feedback_id"] for s in similar]
    html = client.get(f"/feedback/{member}/similar", headers={"HX-Request": "1"}).text
    assert re.search(r'href="/feedback/\d+"', html)
    bad = client.patch(
        f"/api/v1/themes/{theme['id']}", json={"label": ""}, headers={"X-CSRF-Token": token}
    )
    assert bad.status_code == 422 and "label" in bad.json()["error"]["fields"]


def _owner(db: Database) -> Actor:
    user = queries.get_user_by_email(db.reader(), "po@example.org")
    assert user is not None
    return actor(user)
