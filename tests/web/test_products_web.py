"""Product pages in process: create, edit, lifecycle with HTMX, members, activity, escaping."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import event

from jalon.permissions import Actor
from jalon.products import services
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in


def _signed_in_po(client: TestClient, db: Database) -> tuple[str, Actor]:
    po = make_user(db, "po@example.org", name="Camille")
    return sign_in(client, "po@example.org"), actor(po)


def test_create_product_from_the_form(client: TestClient, db: Database) -> None:
    token, _po = _signed_in_po(client, db)
    empty = client.post(
        "/products/new", data={"name": " ", "vision": "x" * 5001, "csrf_token": token}
    )
    assert empty.status_code == 422
    assert "Give the product a name." in empty.text
    assert "Use at most 5000 characters." in empty.text
    created = client.post(
        "/products/new",
        data={
            "name": "Atlas",
            "vision": "Maps **for all**",
            "target_users": "Hikers",
            "product_goal": "Offline maps by June",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"])
    assert "<strong>for all</strong>" in page.text
    assert "Offline maps by June" in page.text
    assert 'aria-current="step">Idea<' in page.text
    assert "created the product Atlas" in page.text
    listing = client.get("/products")
    assert "Atlas" in listing.text and "Product Owner" in listing.text


def test_user_content_is_escaped_everywhere(client: TestClient, db: Database) -> None:
    _token, po = _signed_in_po(client, db)
    evil = '<img src=x onerror="alert(1)">'
    product = services.create_product(db.uow(), actor=po, name=evil, vision=evil, product_goal=evil)
    for url in ("/products", f"/products/{product.id}", f"/products/{product.id}/edit"):
        html = client.get(url).text
        assert "<img" not in html, url
        assert "&lt;img" in html, url


def test_edit_product_records_changed_fields(client: TestClient, db: Database) -> None:
    token, po = _signed_in_po(client, db)
    product = services.create_product(db.uow(), actor=po, name="Atlas", vision="Old")
    r = client.post(
        f"/products/{product.id}/edit",
        data={
            "name": "Atlas",
            "vision": "New vision",
            "target_users": "",
            "product_goal": "",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/products/{product.id}").text
    assert "edited the product Atlas" in page
    assert "<code>Old</code> → <code>New vision</code>" in page


def test_stage_change_with_and_without_htmx(client: TestClient, db: Database) -> None:
    token, po = _signed_in_po(client, db)
    product = services.create_product(db.uow(), actor=po, name="Atlas")
    plain = client.post(
        f"/products/{product.id}/stage",
        data={"stage": "discovery", "csrf_token": token},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    hx = {"HX-Request": "true"}
    fragment = client.post(
        f"/products/{product.id}/stage",
        headers=hx,
        data={"stage": "sunsetting", "reason": "", "csrf_token": token},
    )
    assert fragment.status_code == 422
    assert "<html" not in fragment.text and 'id="lifecycle"' in fragment.text
    assert "Say why the product enters the Sunsetting stage." in fragment.text
    refused = client.post(
        f"/products/{product.id}/stage", headers=hx, data={"stage": "mature", "csrf_token": token}
    )
    assert refused.status_code == 409
    assert "allowed: Delivery, Idea, Sunsetting" in refused.text
    done = client.post(
        f"/products/{product.id}/stage",
        headers=hx,
        data={"stage": "sunsetting", "reason": "No market", "csrf_token": token},
    )
    assert done.status_code == 200 and "<html" not in done.text
    assert "No market" in done.text and 'aria-current="step">Sunsetting<' in done.text
    page = client.get(f"/products/{product.id}").text  # the log names stages, not codes
    assert "Stage: <code>Discovery</code> → <code>Sunsetting</code>" in page


def test_members_invitation_flow(client: TestClient, db: Database) -> None:
    token, po = _signed_in_po(client, db)
    product = services.create_product(db.uow(), actor=po, name="Atlas")
    bad = client.post(
        f"/products/{product.id}/members",
        headers={"HX-Request": "true"},
        data={"email": "not-an-email", "role": "member", "csrf_token": token},
    )
    assert bad.status_code == 422 and "Enter a valid e-mail address" in bad.text
    r = client.post(
        f"/products/{product.id}/members",
        data={"email": "new@example.org", "role": "stakeholder", "csrf_token": token},
    )
    link = re.search(r'class="secret">(http[^<]+/invite/[^<]+)<', r.text)
    assert link is not None
    invite_path = "/invite/" + link.group(1).rsplit("/invite/", 1)[1]
    with TestClient(client.app) as newcomer:
        form = newcomer.get(invite_path)
        assert form.status_code == 200 and "new@example.org" in form.text
        csrf_token = re.search(r'name="csrf-token" content="([^"]+)"', form.text)
        assert csrf_token is not None
        weak = newcomer.post(
            invite_path,
            data={"name": "Nina", "password": "short", "csrf_token": csrf_token.group(1)},
        )
        assert weak.status_code == 422
        joined = newcomer.post(
            invite_path,
            data={
                "name": "Nina",
                "password": "a long passphrase",
                "csrf_token": csrf_token.group(1),
            },
            follow_redirects=False,
        )
        assert joined.status_code == 303
        page = newcomer.get(f"/products/{product.id}")
        assert page.status_code == 200 and "Stakeholder" in page.text
        assert "Change stage" not in page.text  # a stakeholder reads, does not steer
        assert newcomer.get(invite_path).status_code == 404


def test_last_owner_cannot_leave(client: TestClient, db: Database) -> None:
    token, po = _signed_in_po(client, db)
    product = services.create_product(db.uow(), actor=po, name="Atlas")
    r = client.post(f"/products/{product.id}/members/{po.id}/remove", data={"csrf_token": token})
    assert r.status_code == 409 and "at least one Product Owner" in r.text


def test_unknown_product_and_unknown_page_are_404(client: TestClient, db: Database) -> None:
    _signed_in_po(client, db)
    assert client.get("/products/999").status_code == 404
    assert client.get("/nowhere").status_code == 404
    assert client.get("/products/not-a-number").status_code == 422


def _count_queries(db: Database, client: TestClient, url: str) -> int:
    statements: list[str] = []

    def before(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_product_page_query_count_does_not_grow_with_history(
    client: TestClient, db: Database
) -> None:
    _token, po = _signed_in_po(client, db)
    small = services.create_product(db.uow(), actor=po, name="Small")
    big = services.create_product(db.uow(), actor=po, name="Big")
    for i in range(12):
        services.add_member(
            db.uow(), product_id=big.id, actor=po, email=f"m{i}@example.org", role="member"
        )
    for stage in ("discovery", "delivery", "launched", "mature"):
        services.change_stage(db.uow(), product_id=big.id, actor=po, stage=stage)
    small_count = _count_queries(db, client, f"/products/{small.id}")
    big_count = _count_queries(db, client, f"/products/{big.id}")
    assert big_count == small_count
    assert big_count <= 12
    assert _count_queries(db, client, "/products") <= 6


def test_older_activity_pages_with_htmx(client: TestClient, db: Database) -> None:
    _token, po = _signed_in_po(client, db)
    product = services.create_product(db.uow(), actor=po, name="Atlas")
    for i in range(35):
        services.update_product(
            db.uow(), product_id=product.id, actor=po, changes={"vision": f"v{i}"}
        )
    page = client.get(f"/products/{product.id}").text
    more = re.search(r'hx-get="(/products/\d+/activity\?before_id=\d+)"', page)
    assert more is not None
    older = client.get(more.group(1), headers={"HX-Request": "true"})
    assert "<html" not in older.text
    assert older.text.count("edited the product Atlas") == 5  # 36 entries, 30 on the page
    assert "created the product Atlas" in older.text
    full = client.get(more.group(1))
    assert "<html" in full.text
