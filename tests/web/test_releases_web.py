"""Releases over HTTP: the API (per-field errors, scope, notes, releasing with confirmation)
and the pages (list, release, scope editor, settings, downloads, the public changelog)."""

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


def _product(api: TestClient, name: str = "Atlas") -> int:
    return int(api.post("/api/v1/products", json={"name": name}).json()["id"])


def _item(api: TestClient, pid: int, title: str, **extra: Any) -> int:
    r = api.post(f"/api/v1/products/{pid}/items", json={"title": title, **extra})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _release(api: TestClient, pid: int, name: str = "2.4", **extra: Any) -> dict[str, Any]:
    r = api.post(f"/api/v1/products/{pid}/releases", json={"name": name, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- API ------------------------------------------------------------------------------------


def test_api_plans_a_release_and_refuses_bad_input_per_field(api: TestClient) -> None:
    pid = _product(api)
    made = _release(api, pid, target_date="2026-12-31")
    assert made["state"] == "planned" and made["target_date"] == "2026-12-31"
    assert made["forecast"]["outlook"] == "empty" and made["items"] == []
    duplicate = api.post(f"/api/v1/products/{pid}/releases", json={"name": "2.4"})
    assert duplicate.status_code == 409 and "name" in duplicate.json()["error"]["fields"]
    bad_date = api.post(f"/api/v1/products/{pid}/releases", json={"name": "3", "target_date": "x"})
    assert bad_date.status_code == 422 and "target_date" in bad_date.json()["error"]["fields"]
    blank = api.post(f"/api/v1/products/{pid}/releases", json={"name": " "})
    assert blank.status_code == 422 and "name" in blank.json()["error"]["fields"]
    listed = api.get(f"/api/v1/products/{pid}/releases").json()
    assert [r["name"] for r in listed] == ["2.4"]
    patched = api.patch(f"/api/v1/releases/{made['id']}", json={"target_date": None})
    assert patched.status_code == 200 and patched.json()["target_date"] is None


def test_api_scope_errors_name_the_field(api: TestClient) -> None:
    pid, other = _product(api), _product(api, "Borealis")
    mine, foreign = _item(api, pid, "Mine"), _item(api, other, "Foreign")
    first, second = _release(api, pid, "1")["id"], _release(api, pid, "2")["id"]
    r = api.post(f"/api/v1/releases/{first}/items", json={"item_ids": [foreign]})
    assert r.status_code == 422 and "another product" in r.json()["error"]["fields"]["item_ids"]
    r = api.post(f"/api/v1/releases/{first}/items", json={"item_ids": [mine]})
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [mine]
    r = api.post(f"/api/v1/releases/{second}/items", json={"item_ids": [mine]})
    assert r.status_code == 409 and "item_ids" in r.json()["error"]["fields"]
    assert api.delete(f"/api/v1/releases/{first}/items/{mine}").status_code == 204
    assert api.delete(f"/api/v1/releases/{first}/items/{mine}").status_code == 404
    assert api.get(f"/api/v1/releases/{first}").json()["progress"]["items"] == 0


def test_api_releases_after_confirmation_and_generates_notes(api: TestClient) -> None:
    pid = _product(api)
    done = _item(api, pid, "Export to CSV", status="done")
    rid = _release(api, pid)["id"]
    api.post(f"/api/v1/releases/{rid}/items", json={"item_ids": [done]})
    notes = api.post(f"/api/v1/releases/{rid}/notes", json={"language": "en"})
    assert notes.status_code == 200 and "## Improvements" in notes.json()["notes"]
    bad = api.post(f"/api/v1/releases/{rid}/notes", json={"language": "de"})
    assert bad.status_code == 422 and "language" in bad.json()["error"]["fields"]
    refused = api.post(f"/api/v1/releases/{rid}/release", json={})
    assert refused.status_code == 409 and "confirm" in refused.json()["error"]["fields"]
    assert api.get(f"/api/v1/releases/{rid}").json()["state"] == "planned"
    ticked = [c["text"] for c in notes.json()["checklist"]]
    r = api.put(f"/api/v1/releases/{rid}/checklist", json={"ticked": ticked})
    assert all(c["done"] for c in r.json()["checklist"]) and r.json()["warnings"] == []
    released = api.post(f"/api/v1/releases/{rid}/release", json={})
    assert released.status_code == 200 and released.json()["state"] == "released"
    assert released.json()["forecast"] is None and released.json()["released_at"]


def test_api_settings_and_the_public_changelog(api: TestClient, client: TestClient) -> None:
    pid = _product(api)
    assert api.get(f"/api/v1/products/{pid}/release-settings").json()["public_changelog"] is False
    r = api.patch(f"/api/v1/products/{pid}/release-settings", json={"public_changelog": True})
    assert r.json()["changelog_url"] == f"/changelog/{pid}"


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def po_browser(client: TestClient, db: Database) -> tuple[TestClient, str]:
    make_user(db, "po@example.org", name="Camille")
    token = sign_in(client, "po@example.org")
    client.follow_redirects = False  # each test checks where a form leads
    return client, token


def _browser_product(client: TestClient, token: str) -> int:
    r = client.post("/products/new", data={"name": "Atlas", "csrf_token": token})
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_pages_plan_a_release_and_show_errors_in_place(po_browser: tuple[TestClient, str]) -> None:
    client, token = po_browser
    pid = _browser_product(client, token)
    assert "Releases" in client.get(f"/products/{pid}").text
    page = client.get(f"/products/{pid}/releases")
    assert page.status_code == 200 and "No release yet" in page.text
    form = {"name": "Spring", "target_date": "2026-13-01", "csrf_token": token}
    refused = client.post(f"/products/{pid}/releases", data=form)
    assert refused.status_code == 422 and "YYYY-MM-DD" in _text(refused.text)
    assert 'value="Spring"' in refused.text  # what was typed is kept
    r = client.post(f"/products/{pid}/releases", data={**form, "target_date": "2026-05-01"})
    assert r.status_code == 303
    release = client.get(r.headers["location"])
    assert "Spring" in release.text and "Readiness checklist" in release.text
    assert "Spring" in _text(client.get(f"/products/{pid}/releases").text)


def _release_via_pages(client: TestClient, token: str) -> tuple[int, int]:
    pid = _browser_product(client, token)
    r = client.post(f"/products/{pid}/releases", data={"name": "2.4", "csrf_token": token})
    return pid, int(r.headers["location"].rsplit("/", 1)[1])


def _browser_item(client: TestClient, token: str, pid: int, title: str, **extra: Any) -> int:
    r = client.post(
        f"/api/v1/products/{pid}/items",
        json={"title": title, **extra},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_scope_editor_finds_adds_and_removes_items(po_browser: tuple[TestClient, str]) -> None:
    client, token = po_browser
    pid, rid = _release_via_pages(client, token)
    epic = _browser_item(client, token, pid, "Billing", type="epic")
    child = _browser_item(client, token, pid, "Invoices", parent_id=epic)
    _browser_item(client, token, pid, "Unrelated")
    found = client.get(f"/releases/{rid}/scope?q=bill", headers={"HX-Request": "true"})
    assert "Billing" in found.text and "Unrelated" not in found.text
    assert "<html" not in found.text  # HTMX gets the fragment only
    form = {"item_id": [str(epic)], "include_descendants": "yes", "csrf_token": token}
    r = client.post(f"/releases/{rid}/items", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("added=2")
    scope = client.get(f"/releases/{rid}/scope").text
    assert "Invoices" in scope and "counted through its children" in scope
    empty = client.post(f"/releases/{rid}/items", data={"csrf_token": token})
    assert empty.status_code == 422 and "Choose at least one item" in empty.text
    r = client.post(f"/releases/{rid}/items/{child}/remove", data={"csrf_token": token})
    assert r.status_code == 303
    assert "Invoices" not in _text(client.get(f"/releases/{rid}").text)


def test_release_page_asks_to_confirm_and_records_it(po_browser: tuple[TestClient, str]) -> None:
    client, token = po_browser
    _pid, rid = _release_via_pages(client, token)
    r = client.post(f"/releases/{rid}/release", data={"csrf_token": token})
    assert r.status_code == 409
    assert "Release anyway" in r.text and "Readiness checklist not ticked" in _text(r.text)
    r = client.post(f"/releases/{rid}/release", data={"csrf_token": token, "confirm": "yes"})
    assert r.status_code == 303
    page = _text(client.get(f"/releases/{rid}").text)
    assert "Released despite these warnings" in page and "Rollback plan ready" in page


def test_download_names_stay_ascii(po_browser: tuple[TestClient, str]) -> None:
    client, token = po_browser
    pid = _browser_product(client, token)
    r = client.post(f"/products/{pid}/releases", data={"name": "Été 版本 2", "csrf_token": token})
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    md = client.get(f"/releases/{rid}/notes.md")
    assert md.status_code == 200
    assert 'filename="release-notes-t-2.md"' in md.headers["content-disposition"]


def test_notes_are_generated_edited_and_downloaded(po_browser: tuple[TestClient, str]) -> None:
    client, token = po_browser
    pid, rid = _release_via_pages(client, token)
    item = _browser_item(client, token, pid, "Crash <script>x</script>", type="bug", status="done")
    client.post(f"/releases/{rid}/items", data={"item_id": [str(item)], "csrf_token": token})
    form = {"op": "generate", "language": "en", "csrf_token": token}
    assert client.post(f"/releases/{rid}/notes", data=form).status_code == 303
    page = client.get(f"/releases/{rid}").text
    assert "<h2>Bug fixes</h2>" in page and "<script>x" not in page
    md = client.get(f"/releases/{rid}/notes.md")
    assert md.headers["content-type"].startswith("text/markdown")
    assert 'filename="release-notes-2.4.md"' in md.headers["content-disposition"]
    assert md.text.startswith("# 2.4") and r"\<script\>" in md.text
    html = client.get(f"/releases/{rid}/notes.html")
    assert "<h2>Bug fixes</h2>" in html.text and "<script>" not in html.text
    edited = "# 2.4\n\n<img src=x onerror=alert(1)> **Shipped**"
    client.post(f"/releases/{rid}/notes", data={"op": "save", "text": edited, "csrf_token": token})
    page = client.get(f"/releases/{rid}").text
    assert "<strong>Shipped</strong>" in page and "<img" not in page.split("</textarea>")[1]


def test_public_changelog_needs_the_toggle_and_shows_only_released_notes(
    po_browser: tuple[TestClient, str], app: Any
) -> None:
    client, token = po_browser
    pid, rid = _release_via_pages(client, token)
    client.post(
        f"/releases/{rid}/notes",
        data={"op": "save", "text": "## Hello <script>alert(1)</script>", "csrf_token": token},
    )
    client.post(f"/releases/{rid}/release", data={"csrf_token": token, "confirm": "yes"})
    client.post(f"/products/{pid}/releases", data={"name": "Secret next", "csrf_token": token})
    with TestClient(app, base_url="http://testserver") as anonymous:
        assert anonymous.get(f"/changelog/{pid}").status_code == 404
        r = client.post(
            f"/products/{pid}/release-settings",
            data={"public_changelog": "yes", "checklist": ["Docs"], "csrf_token": token},
        )
        assert r.status_code == 303
        page = anonymous.get(f"/changelog/{pid}")
        assert page.status_code == 200 and "Changelog of Atlas" in _text(page.text)
        assert "Hello" in page.text and "<script>alert" not in page.text
        assert "Secret next" not in page.text and f"/products/{pid}" not in page.text
        assert anonymous.get(f"/changelog/{pid + 1000}").status_code == 404
