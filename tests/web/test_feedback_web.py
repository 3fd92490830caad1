"""Feedback over HTTP: the API (per-field errors, filters, links), the intake endpoint and its
token, and the pages (inbox, entry, detail with links, evidence on the item, imports,
customers)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jalon.accounts import services as accounts
from jalon.feedback.models import Feedback
from jalon.prioritisation.models import ItemScore
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in


@pytest.fixture
def api(client: TestClient, db: Database) -> TestClient:
    po = make_user(db, "po@example.org", name="Camille")
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="tests")
    client.headers["Authorization"] = f"Bearer {raw}"
    return client


def _product(api: TestClient, name: str = "Covoit") -> int:
    return int(api.post("/api/v1/products", json={"name": name}).json()["id"])


def _item(api: TestClient, pid: int, title: str) -> int:
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": title})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _feedback(api: TestClient, pid: int, text: str, **extra: Any) -> dict[str, Any]:
    r = api.post(f"/api/v1/products/{pid}/feedback", json={"text": text, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _count(db: Database) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count(Feedback.id))) or 0)


# --- API ------------------------------------------------------------------------------------


def test_api_refuses_bad_feedback_per_field_writing_nothing(api: TestClient, db: Database) -> None:
    pid = _product(api)
    r = api.post(
        f"/api/v1/products/{pid}/feedback",
        json={"text": "", "rating": 6, "received_at": "yesterday"},
    )
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"text", "rating", "received_at"}
    huge = api.post(f"/api/v1/products/{pid}/feedback", json={"text": "é" * 10_001})
    assert huge.status_code == 422 and "text" in huge.json()["error"]["fields"]
    assert _count(db) == 0


def test_api_lists_filters_patches_links_and_deletes(api: TestClient) -> None:
    pid = _product(api)
    item = _item(api, pid, "Taxi voucher when the driver cancels")
    first = _feedback(api, pid, "My driver cancelled at 22:00", received_at="2026-11-01")
    _feedback(api, pid, "Dark mode please", received_at="2026-11-02", rating=4)
    listed = api.get(f"/api/v1/products/{pid}/feedback").json()
    assert [f["text"] for f in listed["items"]] == ["Dark mode please", first["text"]]
    assert api.get(f"/api/v1/products/{pid}/feedback?q=DRIVER").json()["total"] == 1
    r = api.post(f"/api/v1/feedback/{first['id']}/links", json={"item_id": item, "importance": 3})
    assert r.status_code == 201
    assert r.json()["evidence_for"][0]["title"] == "Taxi voucher when the driver cancels"
    bad = api.post(f"/api/v1/feedback/{first['id']}/links", json={"item_id": item, "importance": 9})
    assert bad.status_code == 422 and "importance" in bad.json()["error"]["fields"]
    linked = api.get(f"/api/v1/products/{pid}/feedback?linked=yes").json()
    assert [f["id"] for f in linked["items"]] == [first["id"]]
    patched = api.patch(f"/api/v1/feedback/{first['id']}", json={"state": "triaged", "rating": 2})
    assert patched.json()["state"] == "triaged" and patched.json()["rating"] == 2
    wrong = api.patch(f"/api/v1/feedback/{first['id']}", json={"state": "pending"})
    assert wrong.status_code == 422
    link_id = patched.json()["evidence_for"][0]["id"]
    assert api.delete(f"/api/v1/feedback/{first['id']}/links/{link_id}").status_code == 204
    assert api.delete(f"/api/v1/feedback/{first['id']}").status_code == 204
    assert api.get(f"/api/v1/feedback/{first['id']}").status_code == 404


def _intake_token(client: TestClient, pid: int) -> str:
    page = client.post(f"/products/{pid}/feedback/intake", data={"csrf_token": _csrf(client)})
    assert page.status_code == 200, page.text
    match = re.search(r'id="new-intake-token">(jif_[^<]+)<', page.text)
    assert match, "the new token is shown once"
    return match.group(1)


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/products").text)
    assert match
    return match.group(1)


def test_intake_takes_the_product_token_and_refuses_others(
    client: TestClient, db: Database
) -> None:
    make_user(db, "po@example.org")
    sign_in(client, "po@example.org")
    pid = int(client.post("/api/v1/products", json={"name": "Covoit"},
                          headers={"X-CSRF-Token": _csrf(client)}).json()["id"])  # fmt: skip
    raw = _intake_token(client, pid)
    outsider = TestClient(client.app)
    body = [{"text": "Form: the app is slow", "external_key": "form-1", "customer": "Sanofi"},
            {"text": "Form: love it", "rating": 5}]  # fmt: skip
    r = outsider.post(f"/api/v1/products/{pid}/intake", json=body, headers={"X-Intake-Token": raw})
    assert r.status_code == 201 and len(r.json()["created"]) == 2
    again = outsider.post(
        f"/api/v1/products/{pid}/intake", json=body[0], headers={"Authorization": f"Bearer {raw}"}
    )
    assert again.status_code == 201 and again.json()["updated"] == r.json()["created"][:1]
    wrong = outsider.post(
        f"/api/v1/products/{pid}/intake", json=body, headers={"X-Intake-Token": "jif_nope"}
    )
    assert wrong.status_code == 401 and "intake token" in wrong.json()["error"]["message"]
    none = outsider.post(f"/api/v1/products/{pid}/intake", json=body)
    assert none.status_code == 401
    bad = outsider.post(
        f"/api/v1/products/{pid}/intake", json=[{"text": ""}, {"text": "ok", "rating": 0}],
        headers={"X-Intake-Token": raw},
    )  # fmt: skip
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"0.text", "1.rating"}
    empty = outsider.post(
        f"/api/v1/products/{pid}/intake", json=[], headers={"X-Intake-Token": raw}
    )
    assert empty.status_code == 422 and "body" in empty.json()["error"]["fields"]
    assert _count(db) == 2
    page = client.get(f"/products/{pid}/feedback/intake")
    assert raw not in page.text and raw[:8] in page.text  # shown once, then only its start


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def po(client: TestClient, db: Database) -> str:
    make_user(db, "po@example.org")
    return sign_in(client, "po@example.org")


def _page_product(client: TestClient, token: str) -> int:
    r = client.post("/api/v1/products", json={"name": "Covoit"}, headers={"X-CSRF-Token": token})
    return int(r.json()["id"])


def test_entering_feedback_in_the_browser_and_its_errors(client: TestClient, po: str) -> None:
    pid = _page_product(client, po)
    form = client.get(f"/products/{pid}/feedback/new")
    assert f'hx-get="/products/{pid}/feedback/similar"' in form.text
    assert 'hx-trigger="keyup changed delay:400ms' in form.text
    refused = client.post(
        f"/products/{pid}/feedback", data={"csrf_token": po, "text": " ", "rating": "9"}
    )
    assert refused.status_code == 422
    assert "Write what the person said." in refused.text and 'aria-invalid="true"' in refused.text
    made = client.post(
        f"/products/{pid}/feedback",
        data={"csrf_token": po, "text": "Le covoiturage du soir manque", "rating": "3",
              "author_name": "Nadia", "received_at": "2026-11-02"},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303
    detail = client.get(made.headers["location"])
    assert "Le covoiturage du soir manque" in detail.text and "Nadia" in detail.text
    inbox = _text(client.get(f"/products/{pid}/feedback").text)
    assert "Le covoiturage du soir manque" in inbox and "Feedback received (1)" in inbox
    similar = client.get(
        f"/products/{pid}/feedback/similar", params={"text": "covoiturage"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert similar.status_code == 200 and "<html" not in similar.text


def test_linking_shows_evidence_on_the_item_and_feeds_rice_reach(
    client: TestClient, po: str, db: Database
) -> None:
    pid = _page_product(client, po)
    r = client.post(
        f"/api/v1/products/{pid}/items", json={"title": "Guaranteed ride home"},
        headers={"X-CSRF-Token": po},
    )  # fmt: skip
    item = r.json()["id"]
    made = client.post(
        f"/products/{pid}/feedback", data={"csrf_token": po, "text": "Stuck at the plant at 23:00"}
    )
    fid = int(re.search(r"/feedback/(\d+)", str(made.url)).group(1))  # type: ignore[union-attr]
    search = client.get(f"/feedback/{fid}", params={"q": "ride home", "link": "1"})
    assert f'value="item:{item}"' in search.text
    linked = client.post(
        f"/feedback/{fid}/links",
        data={"csrf_token": po, "target": f"item:{item}", "importance": "3"},
    )
    assert linked.status_code == 200 and "Guaranteed ride home" in linked.text
    item_page = client.get(f"/items/{item}")
    assert f'hx-get="/items/{item}/evidence"' in item_page.text
    evidence = _text(client.get(f"/items/{item}/evidence", headers={"HX-Request": "true"}).text)
    assert "1 linked feedback" in evidence and "3 weighted demand" in evidence
    assert "Stuck at the plant at 23:00" in evidence
    reach = client.post(f"/items/{item}/evidence/reach", data={"csrf_token": po},
                        follow_redirects=False)  # fmt: skip
    assert reach.status_code == 303 and reach.headers["location"].startswith(
        f"/items/{item}?reach=3"
    )
    with db.reader() as uow:
        score = uow.session.get(ItemScore, (item, "rice"))
        assert score is not None and score.inputs == {"reach": 3}


CSV = "Commentaire;Date;Client;Note;Ticket\nAppli lente;01/10/2026;Sanofi;2;T-1\n"


def test_csv_import_maps_dry_runs_and_updates_by_key(
    client: TestClient, po: str, db: Database
) -> None:
    pid = _page_product(client, po)
    upload = client.post(
        f"/products/{pid}/feedback/import", data={"csrf_token": po},
        files={"file": ("tickets.csv", CSV.encode("cp1252"), "text/csv")}, follow_redirects=False,
    )  # fmt: skip
    assert upload.status_code == 303
    url = upload.headers["location"]
    dry = client.get(url)
    assert (
        dry.status_code == 200
        and "Appli lente" in dry.text
        and "Every row can be imported" in dry.text
    )
    assert _count(db) == 0  # a dry run writes nothing
    missing = client.get(url, params={"map_text": "", "map_received_at": "Date"})
    assert missing.status_code == 422 and "Choose the column" in missing.text
    mapping = {"map_text": "Commentaire", "map_received_at": "Date", "map_customer": "Client",
               "map_rating": "Note", "map_external_key": "Ticket"}  # fmt: skip
    done = client.post(url, data={"csrf_token": po, **mapping}, follow_redirects=False)
    assert done.status_code == 303 and "created=1" in done.headers["location"]
    again = client.post(
        f"/products/{pid}/feedback/import", data={"csrf_token": po},
        files={"file": ("tickets.csv", CSV.replace("lente", "très lente").encode(), "text/csv")},
        follow_redirects=False,
    )  # fmt: skip
    second = again.headers["location"]
    assert "will update" in client.get(second, params=mapping).text
    client.post(second, data={"csrf_token": po, **mapping})
    assert _count(db) == 1
    inbox = client.get(f"/products/{pid}/feedback").text
    assert "Appli très lente" in inbox and "Sanofi" in inbox


def test_customers_and_segments_pages(client: TestClient, po: str) -> None:
    pid = _page_product(client, po)
    seg = client.post(
        f"/products/{pid}/segments",
        data={"csrf_token": po, "name": "Grands comptes", "weight": "3"},
    )
    assert seg.status_code == 200 and "Grands comptes" in seg.text
    bad = client.post(
        f"/products/{pid}/customers", data={"csrf_token": po, "name": "Sanofi", "weight": "-1"}
    )
    assert bad.status_code == 422 and "above 0" in bad.text
    ok = client.post(
        f"/products/{pid}/customers", data={"csrf_token": po, "name": "Sanofi", "weight": "2"}
    )
    assert ok.status_code == 200 and "Sanofi" in ok.text
