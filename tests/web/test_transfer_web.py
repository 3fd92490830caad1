"""Import and export through the JSON API and the pages, on both engines."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from jalon.accounts import services as accounts
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in

CSV = (
    "Issue key;Résumé;Issue Type;Status;Story Points;Epic Link;Labels\r\n"
    "PAY-1;Paiement;Epic;To Do;;;\r\n"
    "PAY-2;Payer par carte;Story;In Progress;5;PAY-1;web\r\n"
).encode("cp1252")
GOOD = (
    "Issue key,Summary,Issue Type,Status,Epic Link\n"
    "A-1,Epic,Epic,To Do,\nA-2,Story,Story,Done,A-1\n"
)


def _owner(db: Database) -> tuple[dict[str, str], int]:
    po = make_user(db, "po@example.org")
    pid = products.create_product(db.uow(), actor=actor(po), name="Atlas").id
    _token, raw = accounts.create_api_token(db.uow(), actor=actor(po), name="t")
    return {"Authorization": f"Bearer {raw}"}, pid


def test_api_dry_run_import_list_undo_and_export(client: TestClient, db: Database) -> None:
    auth, pid = _owner(db)
    url = f"/api/v1/products/{pid}/imports"
    files = {"file": ("jira.csv", GOOD.encode(), "text/csv")}
    dry = client.post(url + "?dry_run=true", files=files, headers=auth)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] and body["ok"] and body["created"] == 2 and body["import_id"] is None
    assert client.get(f"/api/v1/products/{pid}/items", headers=auth).json()["items"] == []
    done = client.post(url, files=files, headers=auth)
    assert done.status_code == 201 and done.json()["import_id"]
    listed = client.get(url, headers=auth).json()
    assert [(i["filename"], i["created"], i["undoable"]) for i in listed] == [("jira.csv", 2, True)]
    export = client.get(f"/api/v1/products/{pid}/export?format=csv", headers=auth)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "A-2,Story,Story,Done,,A-1" in export.text
    full = client.get(f"/api/v1/products/{pid}/export?format=json", headers=auth)
    assert 'attachment; filename="atlas-' in full.headers["content-disposition"]
    assert [i["external_key"] for i in full.json()["items"]] == ["A-1", "A-2"]
    undone = client.post(f"/api/v1/imports/{listed[0]['id']}/undo", headers=auth)
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert client.get(f"/api/v1/products/{pid}/items", headers=auth).json()["items"] == []
    again = client.post(f"/api/v1/imports/{listed[0]['id']}/undo", headers=auth)
    assert again.status_code == 409


def test_api_bad_rows_are_named_by_line_and_column(client: TestClient, db: Database) -> None:
    auth, pid = _owner(db)
    url = f"/api/v1/products/{pid}/imports"
    bad = b"Summary,Status\nFine,To Do\nOdd,Parked\n"
    dry = client.post(url + "?dry_run=true", files={"file": ("b.csv", bad)}, headers=auth)
    assert dry.json()["problems"] == [
        {
            "line": 3,
            "column": "Status",
            "message": "Unknown status 'Parked'; this product's statuses are new, ready, "
            "in_progress, done, rejected.",
        }
    ]
    refused = client.post(url, files={"file": ("b.csv", bad)}, headers=auth)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {
        "line 3: Status": dry.json()["problems"][0]["message"]
    }
    mapping = client.post(
        url, files={"file": ("b.csv", bad)}, data={"mapping": "[1]"}, headers=auth
    )
    assert mapping.status_code == 422 and "mapping" in mapping.json()["error"]["fields"]
    custom = client.post(
        url + "?dry_run=true",
        files={"file": ("b.csv", bad)},
        data={"mapping": json.dumps({"Summary": "title"})},
        headers=auth,
    )
    assert custom.json()["ok"] and custom.json()["columns"] == {"title": "Summary"}
    assert client.get(url, headers=auth).json() == []


def _token(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match
    return match.group(1)


def test_pages_upload_map_dry_run_import_and_undo(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    token = sign_in(client, "po@example.org")
    pid = products.create_product(
        db.uow(), actor=actor(make_user(db, "x@example.org", admin=True)), name="Atlas"
    ).id
    page = client.get(f"/products/{pid}/transfer")
    assert page.status_code == 404  # po is not a member: the product does not exist for them
    client.cookies.clear()
    token = sign_in(client, "x@example.org")
    assert "Import a file" in client.get(f"/products/{pid}/transfer").text
    up = client.post(
        f"/products/{pid}/import",
        data={"csrf_token": token, "format": ""},
        files={"file": ("jira.csv", CSV, "text/csv")},
        follow_redirects=False,
    )
    assert up.status_code == 303, up.text
    mapping = client.get(up.headers["location"])
    assert 'value="Résumé"' in mapping.text and "Payer par carte" in mapping.text
    columns = ["Issue key", "Résumé", "Issue Type", "Status", "Story Points", "Epic Link", "Labels"]
    targets = ["external_key", "", "type", "status", "estimate", "parent_key", "tags"]
    form = {"csrf_token": token, "source": columns, "target": targets}
    missing = client.post(up.headers["location"] + "/check", data=form)
    assert missing.status_code == 422 and "Choose the column that holds the title" in missing.text
    form["target"][1] = "title"
    report = client.post(up.headers["location"] + "/check", data=form)
    assert report.status_code == 200 and "Payer par carte" in report.text
    assert "Import 2 rows" in report.text
    run = client.post(up.headers["location"] + "/run", data=form, follow_redirects=False)
    assert run.status_code == 303 and "/transfer?imported=" in run.headers["location"]
    done = client.get(run.headers["location"])
    assert "2 new items" in done.text
    backlog = client.get(f"/products/{pid}/backlog")
    assert "Payer par carte" in backlog.text
    batch = re.search(r'action="/imports/(\d+)/undo"', done.text)
    assert batch
    client.post(f"/imports/{batch.group(1)}/undo", data={"csrf_token": _token(done.text)})
    assert "Payer par carte" not in client.get(f"/products/{pid}/backlog").text
    gone = client.get(up.headers["location"])
    assert gone.status_code == 404  # the upload is removed once imported


def test_pages_refuse_an_unreadable_file_with_its_reason(client: TestClient, db: Database) -> None:
    admin = make_user(db, "x@example.org", admin=True)
    pid = products.create_product(db.uow(), actor=actor(admin), name="Atlas").id
    token = sign_in(client, "x@example.org")
    bad = client.post(
        f"/products/{pid}/import",
        data={"csrf_token": token},
        files={"file": ("b.json", b"{oops", "application/json")},
    )
    assert bad.status_code == 422
    assert "This JSON file is not valid at line 1, column 2" in bad.text
    csv_export = client.get(f"/products/{pid}/export?format=csv")
    assert csv_export.status_code == 200 and csv_export.text.startswith("Issue key,Summary")
