"""The interface language: Accept-Language, the language menu, the user's stored choice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jalon.accounts.models import User
from jalon.uow import Database
from tests.support.helpers import csrf, make_user, sign_in

FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.8"}
ENGLISH = {"accept-language": "en-US,en;q=0.9"}


def _language_of(db: Database, email: str) -> str | None:
    with db.reader() as uow:
        return uow.session.scalar(select(User.language).where(User.email == email))


def _switch(client: TestClient, language: str, next_: str = "/login", **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/language",
        data={"language": language, "next": next_, "csrf_token": csrf(client)},
        headers=headers,
        follow_redirects=False,
    )


def test_accept_language_picks_the_page_language(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    french = client.get("/login", headers=FRENCH)
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    assert "Se connecter" in french.text and "Sign in" not in french.text
    english = client.get("/login", headers=ENGLISH)
    assert '<html lang="en">' in english.text
    assert "Sign in" in english.text and "Se connecter" not in english.text


def test_errors_are_shown_in_french(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    wrong = client.post(
        "/login",
        data={"email": "po@example.org", "password": "nope-nope-nope", "csrf_token": csrf(client)},
        headers=FRENCH,
    )
    assert wrong.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.text
    missing = client.get("/no-such-page", headers=FRENCH)
    assert missing.status_code == 404 and "Cette page n&#39;existe pas." in missing.text


def test_language_menu_sets_a_cookie_for_visitors(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    response = _switch(client, "fr")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.cookies.get("jalon_lang") == "fr"
    later = client.get("/login", headers=ENGLISH)  # the explicit choice beats the browser's
    assert '<html lang="fr">' in later.text and "Se connecter" in later.text
    _switch(client, "en")
    assert "Sign in" in client.get("/login", headers=FRENCH).text


def test_signed_in_choice_is_stored_on_the_user(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    sign_in(client, "po@example.org")
    assert _language_of(db, "po@example.org") is None
    response = _switch(client, "fr", "/products")
    assert response.status_code == 303 and response.headers["location"] == "/products"
    assert _language_of(db, "po@example.org") == "fr"
    page = client.get("/products", headers=ENGLISH)
    assert '<html lang="fr">' in page.text
    assert "Produits" in page.text and "Se déconnecter" in page.text


def test_stored_choice_wins_over_cookie_and_header(
    client: TestClient,
    app,  # type: ignore[no-untyped-def]
    db: Database,
) -> None:
    make_user(db, "po@example.org")
    sign_in(client, "po@example.org")
    _switch(client, "fr", "/products")
    with TestClient(app, base_url="http://testserver", cookies={"jalon_lang": "en"}) as other:
        before = other.get("/login", headers=FRENCH)
        assert '<html lang="en">' in before.text  # this browser's cookie says English...
        sign_in(other, "po@example.org")
        page = other.get("/products", headers=ENGLISH)
        assert '<html lang="fr">' in page.text  # ...but the user chose French
        assert "Nouveau produit" in page.text


def test_api_validation_messages_follow_the_language(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    sign_in(client, "po@example.org")
    token = csrf(client)
    response = client.post(
        "/api/v1/products",
        json={"name": "Atlas", "owner": "me"},
        headers={**FRENCH, "x-csrf-token": token},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == "Certains champs ne sont pas valides."
    assert error["fields"]["owner"] == "Champ inconnu."


@pytest.mark.parametrize("language", ["de", "", "FR", "fr-FR"])
def test_unknown_language_is_refused(client: TestClient, db: Database, language: str) -> None:
    make_user(db, "po@example.org")
    sign_in(client, "po@example.org")
    response = _switch(client, language)
    assert response.status_code == 422
    assert "jalon_lang" not in client.cookies
    assert _language_of(db, "po@example.org") is None


def test_language_switch_without_csrf_is_refused(client: TestClient, db: Database) -> None:
    make_user(db, "po@example.org")
    csrf(client)
    response = client.post("/language", data={"language": "fr"}, follow_redirects=False)
    assert response.status_code == 403
    assert "jalon_lang" not in client.cookies


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "evil.example", ""],
)
def test_next_refuses_off_site_redirects(client: TestClient, db: Database, target: str) -> None:
    make_user(db, "po@example.org")
    response = _switch(client, "fr", target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
