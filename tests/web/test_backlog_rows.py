"""The backlog page's rows: the move buttons are rendered once per page and filled in per row,
so a title that looks like markup or like the placeholders must still come out right."""

from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape

from jalon.backlog import services as backlog
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user, sign_in


def test_each_row_gets_its_own_move_buttons_with_its_title_escaped(
    client: TestClient, db: Database
) -> None:
    po = actor(make_user(db, "po@example.org", name="Camille"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    tricky = 'Fix <b>"x"</b> & @ID@ then @TITLE@'
    first = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": tricky}).id
    second = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Plain"}).id
    sign_in(client, "po@example.org")

    page = client.get(f"/products/{pid}/backlog")

    assert page.status_code == 200
    text = page.text
    escaped = str(escape(tricky))  # quotes too: the title sits in attributes
    assert tricky not in text and "@ID@" not in text.replace(escaped, "")
    for ident, title in ((first, escaped), (second, "Plain")):
        for to, label in (("top", "Move to top"), ("up", "Move up"), ("bottom", "Move to bottom")):
            button = (
                f'formaction="/items/{ident}/move" name="to" value="{to}" data-move="{to}" '
                f'aria-label="{label}: {title}"'
            )
            assert text.count(button) == 1, button
