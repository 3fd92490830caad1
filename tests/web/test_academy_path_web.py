"""The learning path through the browser routes and the API: the Academy home, a module's
lesson, sandbox and check, the certificate refused then issued, cohorts for trainers, the
admin's Academy role, and who may read whose progress."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from jalon.academy.path import rules
from jalon.academy.path.models import ModuleProgress
from jalon.academy.quiz.models import Quiz
from jalon.accounts.models import User
from jalon.uow import Database
from tests.support.helpers import make_user, sign_in

T = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_a_learner_reads_a_lesson_opens_the_sandbox_and_checks_work(
    client: TestClient, db: Database
) -> None:
    make_user(db, "lea@example.com", name="Léa")
    token = sign_in(client, "lea@example.com")
    home = client.get("/academy")
    assert home.status_code == 200
    assert 'href="/academy/scenarios"' in home.text and 'href="/academy/path"' in home.text
    assert "Your cohorts" not in home.text  # not a trainer
    module = client.get("/academy/modules/csr-ethics")
    assert module.status_code == 200 and "<h2" in module.text
    assert 'name="module" value="csr-ethics"' in module.text  # the module quiz form
    assert 'name="topics" value="definition-of-done"' in module.text
    client.post("/academy/modules/csr-ethics/read", data={"csrf_token": token})
    assert "You marked this lesson as read" in client.get("/academy/modules/csr-ethics").text
    early = client.post("/academy/modules/csr-ethics/check", data={"csrf_token": token})
    assert early.status_code == 409 and "practice sandbox" in early.text
    opened = client.post(
        "/academy/sandbox", data={"module": "csr-ethics", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert opened.headers["location"] == "/academy/modules/csr-ethics#exercise"
    page = client.get("/academy/modules/csr-ethics")
    assert "/backlog-settings" in page.text
    checked = client.post("/academy/modules/csr-ethics/check", data={"csrf_token": token})
    assert checked.status_code == 200 and "Not yet" in checked.text
    assert "The Definition of Done covers accessibility" in checked.text
    assert client.get("/academy/modules/astrology").status_code == 404
    for key in rules.MODULE_KEYS:  # every exercise's "do it" link opens a page of the sandbox
        found = re.search(r'href="([^"]+)">Do it in your practice sandbox', client.get(
            f"/academy/modules/{key}").text)  # fmt: skip
        assert found, key
        page = client.get(found.group(1))
        assert page.status_code == 200, key
        assert 'href="/academy/path">Back to the learning path' in page.text, key
    client.post("/language", data={"language": "fr", "next": "/academy", "csrf_token": token})
    french = client.get("/academy/modules/csr-ethics").text
    assert "L'accessibilité fait partie du" in french and "Accessibility is part of" not in french
    progress = client.get("/api/v1/academy/progress").json()
    csr = next(m for m in progress["modules"] if m["key"] == "csr-ethics")
    assert csr["status"] == "in_progress" and csr["lesson_read_at"] is not None
    assert progress["percent"] == round(100 / 27)


def _complete_everything(db: Database, user_id: int) -> None:
    with db.uow() as uow:
        for key in rules.MODULE_KEYS:
            uow.add(ModuleProgress(user_id=user_id, module=key, lesson_read_at=T,
                                   exercise_passed_at=T, updated_at=T))  # fmt: skip
        uow.commit()


def test_the_certificate_is_refused_until_the_path_is_complete(
    client: TestClient, db: Database, monkeypatch: object
) -> None:
    lea = make_user(db, "lea@example.com", name="Léa Martin")
    sign_in(client, "lea@example.com")
    refused = client.get("/academy/certificate.pdf")
    assert refused.status_code == 409 and "0 of 9" in refused.text
    _complete_everything(db, lea.id)
    still = client.get("/api/v1/academy/progress").json()
    assert still["finished"] is False  # the module quizzes are not passed yet
    from jalon.academy.path import results

    monkeypatch.setattr(  # type: ignore[attr-defined]
        results.quiz_queries, "best_module_scores",
        lambda uow, user_id: dict.fromkeys(rules.MODULE_KEYS, 80.0),
    )  # fmt: skip
    assert client.get("/api/v1/academy/progress").json()["finished"] is True
    pdf = client.get("/academy/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Download your certificate" in client.get("/academy/path").text


def test_trainers_manage_cohorts_and_read_their_trainees_progress(
    client: TestClient, db: Database
) -> None:
    make_user(db, "root@example.com", admin=True)
    trainer = make_user(db, "tom@example.com", name="Tom")
    lea = make_user(db, "lea@example.com", name="Léa")
    other = make_user(db, "max@example.com", name="Max")
    token = sign_in(client, "root@example.com")
    set_role = client.post(
        f"/admin/users/{trainer.id}/academy-role",
        data={"academy_role": "trainer", "csrf_token": token}, follow_redirects=False,
    )  # fmt: skip
    assert set_role.status_code == 303
    wizard = {"academy_role": "wizard", "csrf_token": token}
    assert client.post(f"/admin/users/{trainer.id}/academy-role", data=wizard).status_code == 422
    assert "changed the Academy role of Tom" in client.get("/admin/users").text
    with TestClient(client.app) as tom:
        tok = sign_in(tom, "tom@example.com")
        bad = tom.post("/academy/cohorts", data={"name": " ", "csrf_token": tok})
        assert bad.status_code == 422 and "Give the cohort a name" in bad.text
        made = tom.post("/academy/cohorts", data={"name": "Spring", "csrf_token": tok},
                        follow_redirects=False)  # fmt: skip
        url = made.headers["location"]
        unknown = tom.post(f"{url}/members", data={"email": "zed@example.com", "csrf_token": tok})
        assert unknown.status_code == 422 and "zed@example.com" in unknown.text
        tom.post(f"{url}/members", data={"email": "lea@example.com", "csrf_token": tok})
        tom.post(f"{url}/assignments", data={"work": "quiz:mock", "due_on": "2027-02-01",
                                            "csrf_token": tok})  # fmt: skip
        page = tom.get(url)
        assert page.status_code == 200 and "Léa" in page.text and "Mock assessment" in page.text
        assert f'href="/academy/path?user_id={lea.id}"' in page.text
        assert tom.get(f"/academy/path?user_id={lea.id}").status_code == 200
        assert tom.get(f"/academy/path?user_id={other.id}").status_code == 403
        assert tom.get(f"{url}/chart.svg").headers["content-type"].startswith("image/svg")
        api = tom.get(f"/api/v1{url}").json()
        assert [t["email"] for t in api["trainees"]] == ["lea@example.com"]
        assert api["assignments"][0]["ref"] == "mock"
    with TestClient(client.app) as browser:
        sign_in(browser, "lea@example.com")
        home = browser.get("/academy")
        assert "Mock assessment" in home.text and "2027-02-01" in home.text
        assert browser.get(url).status_code == 403
        assert browser.get(f"/api/v1/academy/progress?user_id={other.id}").status_code == 403
    with db.reader() as uow:
        assert uow.get(User, lea.id, what="user").academy_role == "trainee"
        assert uow.session.scalar(select(Quiz.id)) is None
