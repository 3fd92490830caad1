"""The prioritisation pages: the grid (form and row saves), formulas, compare, chart, order."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from jalon.accounts import queries as account_queries
from jalon.backlog import services as backlog
from jalon.permissions import Actor
from jalon.prioritisation import services
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in

Browser = tuple[TestClient, str, int, list[int]]
RICE = {"reach": 800, "impact": 2, "confidence": 0.8, "effort": 4}


@pytest.fixture
def po(client: TestClient, db: Database) -> Browser:
    """A signed-in Product Owner's browser, its CSRF token, a product and three items."""
    user = make_user(db, "po@example.org", name="Camille")
    pid = products.create_product(db.uow(), actor=actor(user), name="Atlas").id
    ids = [
        backlog.create_item(db.uow(), actor=actor(user), product_id=pid, values={"title": t}).id
        for t in ("Export invoices", "Dark mode", "Sign up")
    ]
    token = sign_in(client, "po@example.org")
    return client, token, pid, ids


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_grid_saves_every_row_at_once_without_javascript(po: Browser, db: Database) -> None:
    client, token, pid, (a, b, c) = po
    page = client.get(f"/products/{pid}/prioritisation")
    assert page.status_code == 200 and f'name="s-{a}-reach"' in page.text
    form = {"csrf_token": token, "model": "rice", "items": [str(a), str(b), str(c)]}
    form |= {f"s-{a}-{k}": str(v) for k, v in RICE.items()}
    form |= {f"s-{b}-reach": "10"}  # partial: kept, not scored yet
    r = client.post(f"/products/{pid}/prioritisation/scores", data=form, follow_redirects=False)
    assert r.status_code == 303 and "done=saved" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert "Scores saved." in page.text
    row = re.search(rf'<tr id="row-{a}".*?</tr>', page.text, re.S)
    assert row and ">320<" in row.group(0)
    assert f'name="s-{b}-reach" value="10"' in page.text


def test_a_bad_cell_saves_nothing_and_keeps_what_was_typed(po: Browser) -> None:
    client, token, pid, (a, b, _c) = po
    form = {"csrf_token": token, "model": "rice", "items": [str(a), str(b)]}
    form |= {f"s-{a}-{k}": str(v) for k, v in RICE.items()}
    form |= {f"s-{b}-confidence": "80"}
    r = client.post(f"/products/{pid}/prioritisation/scores", data=form)
    assert r.status_code == 422
    assert "Write a fraction from 0 to 1: 0.8 for 80%." in unescape(r.text)
    assert f'name="s-{b}-confidence" value="80"' in r.text and 'aria-invalid="true"' in r.text
    api_scores = client.get(f"/items/{a}/scores")
    assert "Not scored" in api_scores.text  # the valid row was not saved either


def test_a_row_saved_by_the_script_comes_back_with_score_and_rank(po: Browser) -> None:
    client, token, pid, (a, _b, _c) = po
    data = {"model": "rice", "items": str(a)} | {f"s-{a}-{k}": str(v) for k, v in RICE.items()}
    r = client.post(
        f"/products/{pid}/prioritisation/scores",
        data=data,
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert r.status_code == 200 and r.text.lstrip().startswith("<tr")
    assert ">320<" in r.text and re.search(r"data-rank>\s*1\s*<", r.text)


def test_item_scores_explain_the_formula_filled_in(po: Browser, db: Database) -> None:
    client, _token, _pid, (a, _b, _c) = po
    services.set_score(db.uow(), actor=_owner(db), item_id=a, model="rice", inputs=RICE)
    page = client.get(f"/items/{a}/scores")
    text = _text(page.text)
    assert "<details>" in page.text and "(800 × 2 × 0.8) / 4 = 320" in text
    fragment = client.get(f"/items/{a}/scores", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith("<section") and "Explain" in fragment.text
    outsider = TestClient(client.app)
    make_user(db, "stranger@example.org")
    sign_in(outsider, "stranger@example.org")
    assert outsider.get(f"/items/{a}/scores").status_code == 404


def _owner(db: Database) -> Actor:
    found = account_queries.get_user_by_email(db.reader(), "po@example.org")
    assert found is not None
    return actor(found)


def test_formula_page_shows_a_precise_error_and_saves_a_good_formula(
    po: Browser, db: Database
) -> None:
    client, token, pid, (a, _b, _c) = po
    services.set_score(db.uow(), actor=_owner(db), item_id=a, model="rice", inputs=RICE)
    url = f"/products/{pid}/prioritisation/formulas"
    bad = client.post(url, data={"csrf_token": token, "name": "W", "expression": "rice / 0"})
    assert bad.status_code == 422 and "Division by zero at position 8." in bad.text
    assert "rice / 0" in bad.text  # what was typed is kept
    preview = client.get(
        f"{url}/preview", params={"expression": "rice * 2"}, headers={"HX-Request": "true"}
    )
    assert "640" in _text(preview.text) and "The formula is valid." in preview.text
    good = client.post(
        url,
        data={"csrf_token": token, "name": "Twice", "expression": "rice * 2"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "formula:twice" in client.get(url).text
    grid = client.get(f"/products/{pid}/prioritisation", params={"model": "formula:twice"})
    assert ">640<" in grid.text


def test_compare_chart_and_apply_order_with_undo(po: Browser, db: Database) -> None:
    client, token, pid, (a, b, c) = po
    owner = _owner(db)
    for item, reach, value, effort in ((a, 100, 2, 8), (b, 900, 9, 1), (c, 500, 5, 5)):
        services.set_score(
            db.uow(), actor=owner, item_id=item, model="rice", inputs={**RICE, "reach": reach}
        )
        services.set_score(
            db.uow(),
            actor=owner,
            item_id=item,
            model="value_effort",
            inputs={"value": value, "effort": effort},
        )
    compare = client.get(
        f"/products/{pid}/prioritisation/compare",
        params={"models": ["rice", "value_effort"], "a": a, "b": b, "pair_model": "rice"},
    )
    assert compare.status_code == 200
    text = _text(compare.text)
    assert "1.00" in text and "Raise Export invoices's Reach from 100 to" in text
    chart = client.get(f"/products/{pid}/prioritisation/chart")
    assert '<svg viewBox="0 0 760 460" role="img"' in chart.text
    assert f'href="/items/{b}" class="point quick_win"' in chart.text
    assert "Quick wins" in chart.text and "<table>" in chart.text
    order = client.get(f"/products/{pid}/prioritisation/order", params={"model": "rice"})
    assert "Apply this order to the backlog" in order.text
    r = client.post(
        f"/products/{pid}/prioritisation/order",
        data={"csrf_token": token, "model": "rice"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    snapshot = re.search(r"/order/(\d+)/undo", page.text)
    assert snapshot and "Undo" in page.text
    backlog_page = client.get(f"/products/{pid}/backlog").text
    assert (
        backlog_page.index("Dark mode")
        < backlog_page.index("Sign up")
        < backlog_page.index("Export invoices")
    )
    r = client.post(
        f"/products/{pid}/prioritisation/order/{snapshot.group(1)}/undo",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    backlog_page = client.get(f"/products/{pid}/backlog").text
    assert (
        backlog_page.index("Export invoices")
        < backlog_page.index("Dark mode")
        < backlog_page.index("Sign up")
    )
