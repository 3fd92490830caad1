"""The quiz through the JSON API and the pages (synthetic bank: option 0 is always right)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from jalon.academy.quiz import gift, queries, services
from jalon.db import utcnow
from jalon.uow import Database
from tests.support.academy_quiz import question, synthetic_bank, use_synthetic_bank
from tests.support.helpers import actor, make_user, sign_in


@pytest.fixture(autouse=True)
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    use_synthetic_bank(monkeypatch)


def _right(qid: str) -> list[int]:
    return [0, 1] if int(qid.rsplit("-", 1)[1]) % 3 == 1 else [0]


def _learner(client: TestClient, db: Database, email: str = "lea@example.com") -> dict[str, str]:
    make_user(db, email)
    return {"X-CSRF-Token": sign_in(client, email)}


def test_practice_through_the_api(client: TestClient, db: Database) -> None:
    headers = _learner(client, db)
    r = client.post("/api/v1/academy/quizzes", headers=headers,
                    json={"mode": "practice", "topics": ["events"], "count": 2})  # fmt: skip
    assert r.status_code == 201, r.text
    quiz = r.json()
    assert quiz["total"] == 2 and quiz["result"] is None
    first = quiz["current"]
    assert first["topic"] == "events" and "correct" not in first["options"][0]
    assert "why" not in first["options"][0]
    url = f"/api/v1/academy/quizzes/{quiz['id']}"
    r = client.post(f"{url}/answers", headers=headers,
                    json={"question_id": first["id"], "chosen": _right(first["id"])})  # fmt: skip
    answer = r.json()
    assert answer["correct"] is True and answer["rating"] == "good"
    assert all("why" in o for o in answer["explanations"]["options"])
    second = answer["next"]
    wrong = [i for i in range(len(second["options"])) if [i] != _right(second["id"])][:1]
    body = {"question_id": second["id"], "chosen": wrong, "unsure": True}
    r = client.post(f"{url}/answers", headers=headers, json=body)
    assert r.json()["correct"] is False and r.json()["rating"] == "again"
    assert r.json()["finished"] and r.json()["next"] is None
    result = client.get(url).json()["result"]
    assert (result["right"], result["total"], result["percent"]) == (1, 2, 50.0)
    assert result["by_topic"] == [{"topic": "events", "right": 1, "total": 2, "percent": 50.0}]
    assert [item["chosen"] for item in result["review"]] == [_right(first["id"]), wrong]
    again = client.post(f"{url}/answers", headers=headers,
                        json={"question_id": first["id"], "chosen": [0]})  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    page = client.get(f"/academy/quizzes/{quiz['id']}").text
    assert f'href="/academy/quizzes/{quiz["id"]}/topics.svg"' in page
    svg = client.get(f"/academy/quizzes/{quiz['id']}/topics.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Right answers by topic" in svg.text and "1/2" in svg.text
    png = client.get(f"/academy/quizzes/{quiz['id']}/topics.png")
    assert png.content.startswith(b"\x89PNG")
    assert client.get(f"/academy/quizzes/{quiz['id']}/topics.gif").status_code == 404


def test_the_chart_of_a_quiz_not_handed_in_is_not_found(client: TestClient, db: Database) -> None:
    headers = _learner(client, db)
    r = client.post("/api/v1/academy/quizzes", headers=headers,
                    json={"mode": "practice", "topics": ["events"], "count": 2})  # fmt: skip
    r = client.get(f"/academy/quizzes/{r.json()['id']}/topics.svg")
    assert r.status_code == 404 and "once the quiz is handed in" in r.text


def test_bad_quiz_input_is_refused_per_field(client: TestClient, db: Database) -> None:
    headers = _learner(client, db)
    r = client.post("/api/v1/academy/quizzes", headers=headers,
                    json={"mode": "exam", "topics": ["agile"]})  # fmt: skip
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"mode", "topics"}
    assert client.get("/api/v1/academy/questions").status_code == 403  # trainers only


def test_a_mock_answered_too_late_is_closed_with_a_clear_message(
    client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _learner(client, db)["X-CSRF-Token"]
    r = client.post("/academy/quizzes", data={"mode": "mock", "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    url = r.headers["location"]
    page = client.get(url)
    assert 'role="timer"' in page.text and "59:5" in page.text
    qid = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    r = client.post(f"{url}/answers", data={"question_id": qid, "chosen": "0",
                                            "csrf_token": token})  # fmt: skip
    assert r.status_code == 409
    assert "Time is up" in r.text and "Review of every answer" in r.text
    assert "0.0%" in r.text and "Not passed yet" in r.text


def test_practice_pages_in_french_with_the_english_question(
    client: TestClient, db: Database
) -> None:
    token = _learner(client, db)["X-CSRF-Token"]
    client.post("/language", data={"language": "fr", "next": "/academy/quiz", "csrf_token": token})
    home = client.get("/academy/quiz")
    assert "Commencer" in home.text or 'lang="fr"' in home.text
    r = client.post("/academy/quizzes", follow_redirects=False, data={
        "mode": "practice", "topics": "events", "count": "1", "module": "backlog",
        "csrf_token": token})  # fmt: skip
    url = r.headers["location"]
    page = client.get(url).text
    qid = re.search(r'name="question_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    n = int(qid.rsplit("-", 1)[1])
    assert f"Question {n} on events?</legend>" in page  # English, as in the assessment
    assert f"Question {n} on events? (fr)" in page  # its French, in a details element
    chosen = [str(i) for i in _right(qid)]
    r = client.post(f"{url}/answers", follow_redirects=False,
                    data={"question_id": qid, "csrf_token": token, "chosen": chosen})  # fmt: skip
    assert r.headers["location"] == f"{url}?after=1"
    feedback = client.get(r.headers["location"]).text
    served = next(q for _, q in synthetic_bank().questions if q.id == qid)
    assert all(o.why.fr in feedback and o.why.en in feedback for o in served.options)
    assert "Scrum Theory" in feedback
    result = client.get(url).text
    assert "100.0%" in result


def test_a_gift_file_with_a_syntax_error_imports_nothing(client: TestClient, db: Database) -> None:
    make_user(db, "ada@example.com", admin=True)
    token = sign_in(client, "ada@example.com")
    good = gift.dump([question("events", 3).model_copy(update={"id": "events-acme-03"})])
    bad = good + "\n::events-acme-04::Unclosed {\n=yes\n"
    r = client.post("/academy/bank/import", data={"format": "gift", "csrf_token": token},
                    files={"file": ("acme.gift", bad.encode(), "text/plain")})  # fmt: skip
    assert r.status_code == 422
    assert "acme.gift:11" in r.text and "one answer block" in r.text
    exported = client.get("/academy/bank/export?format=gift&topic=events").text
    assert "events-acme-03" not in exported
    r = client.post("/academy/bank/import", data={"format": "gift", "csrf_token": token},
                    files={"file": ("acme.gift", good.encode(), "text/plain")})  # fmt: skip
    assert r.status_code == 200 and "1 created" in r.text
    assert "::events-acme-03::" in client.get("/academy/bank/export?format=gift").text


def test_a_fully_answered_mock_is_handed_in_and_passes(client: TestClient, db: Database) -> None:
    user = make_user(db, "lea@example.com")
    token = sign_in(client, "lea@example.com")
    learner = actor(user)
    quiz_id = services.start_quiz(db.uow(), actor=learner, mode="mock")
    view = queries.get_quiz(db.reader(), actor=learner, quiz_id=quiz_id)
    for item in view.items[:-1]:
        services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=item.question.id,
                        chosen=_right(item.question.id))  # fmt: skip
    last = view.items[-1].question.id
    services.answer(db.uow(), actor=learner, quiz_id=quiz_id, question_id=last, chosen=[1])
    page = client.get(f"/academy/quizzes/{quiz_id}").text
    assert "80 of 80 questions answered" in page and "Hand in and see my score" in page
    r = client.post(f"/academy/quizzes/{quiz_id}/finish", data={"csrf_token": token})
    assert "98.8%" in r.text and "79 right out of 80" in r.text
    assert "Passed: at or above the 85% pass mark." in r.text
