"""A trainer's journey in Chromium: from the Academy link, create a cohort, add a trainee who
already took a mock assessment, answered practice questions and started a scenario run (all
seeded through the services), read the cohort's results, assign a module, and open the
trainee's path."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from jalon.academy.quiz import services as quiz
from jalon.academy.quiz.models import QuizItem
from jalon.academy.runs import services as runs
from jalon.accounts.models import User
from jalon.permissions import Actor
from jalon.uow import Database
from tests.browser.live import PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser
TRAINER, TRAINEE = "tom@example.com", "lea@example.com"


@dataclass
class Cohort:
    server: LiveServer
    trainer: str
    trainee: str


def _seed(db: Database, trainer: str, trainee: str) -> None:
    """Tom is a trainer; Léa has a finished mock, one practice answer and a run."""
    with db.uow() as uow:
        users = {u.email: u for u in uow.session.scalars(select(User))}
        users[trainer].academy_role = "trainer"
        uow.commit()
    lea = Actor(users[trainee].id, "Léa Martin")
    mock = quiz.start_quiz(db.uow(), actor=lea, mode="mock")
    quiz.finish_quiz(db.uow(), actor=lea, quiz_id=mock)
    practice = quiz.start_quiz(db.uow(), actor=lea, mode="practice", topics=["events"], count=3)
    with db.reader() as uow:
        stmt = select(QuizItem.question_id).where(QuizItem.quiz_id == practice)
        first = uow.session.scalars(stmt.order_by(QuizItem.position)).first()
    assert first is not None
    quiz.answer(db.uow(), actor=lea, quiz_id=practice, question_id=first, chosen=[0])
    runs.start_run(db.uow(), actor=lea, scenario="saas", seed=7)


@pytest.fixture(scope="module")
def cohort(live: ApiSeed) -> Cohort:
    """Tom and Léa, on the shared server, with addresses of this module's own."""
    trainer = live.user(TRAINER, "Tom Trainer")
    trainee = live.user(TRAINEE, "Léa Martin")
    _seed(live.database, trainer, trainee)
    return Cohort(live.server, trainer, trainee)


def test_a_trainer_follows_a_cohort(cohort: Cohort, page: Page) -> None:
    server = cohort.server
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(cohort.trainer)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Academy").click()
    expect(page.get_by_role("heading", name="Your cohorts")).to_be_visible()
    page.get_by_role("link", name="Manage cohorts").click()

    page.get_by_label("Name").fill("Spring 2027")
    page.get_by_role("button", name="Create the cohort").click()
    expect(page.get_by_role("heading", level=1, name="Spring 2027")).to_be_visible()

    page.get_by_label("E-mail").fill("nobody@example.com")
    page.get_by_role("button", name="Add to the cohort").click()
    expect(page.locator("#e-email")).to_contain_text("nobody@example.com")
    page.get_by_label("E-mail").fill(cohort.trainee)
    page.get_by_role("button", name="Add to the cohort").click()

    results = page.locator("table.ap-results")
    row = results.get_by_role("row", name="Léa Martin")
    expect(row).to_be_visible()
    expect(row.get_by_role("cell").nth(1)).to_have_text("0%")  # the unanswered mock
    expect(row.get_by_role("cell").nth(2)).to_have_text("Not passed")
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")  # one practice answer
    row.locator("summary").click()
    expect(row.get_by_role("link", name="B2B", exact=False)).to_be_visible()
    expect(page.locator("figure[data-chart=cohort-results] svg")).to_be_visible()

    page.get_by_label("Work to assign").select_option("module:product-kpis")
    page.get_by_label("Due date (optional)").fill("2027-03-01")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#assignments")).to_contain_text("Product KPIs")
    expect(page.locator("#assignments")).to_contain_text("2027-03-01")

    row.get_by_role("link", name="0% · 0/9 modules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Product Owner path of Léa Martin")
    expect(page.locator(".ap-module")).to_have_count(9)
