"""PSPO I practice in Chromium: a learner whose language is French takes a 10-question
practice quiz, reads a question's French translation, answers, and sees the review."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import PASSWORD, ApiSeed

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def learner(live: ApiSeed) -> str:
    """A learner of this module's own, not an administrator: her language becomes French."""
    return live.user("quinn@example.com", "Quinn Learner")


def test_a_ten_question_practice_in_french_then_the_review(
    live: ApiSeed, learner: str, page: Page
) -> None:
    server = live.server
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(learner)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")
    page.locator("#language-select").select_option("fr")  # submits itself; stored on the user
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.goto(f"{server.url}/academy/quiz")
    form = page.locator("form.quiz-start")
    expect(form.get_by_role("spinbutton")).to_have_value("10")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/academy/quizzes/\d+$"))

    for n in range(1, 11):
        card = page.locator("section.quiz-card")
        expect(card.locator(".quiz-option")).not_to_have_count(0)
        english = card.locator("legend.quiz-stem")
        expect(english).to_have_attribute("lang", "en")  # as in the assessment
        french = card.locator("details.quiz-fr")
        if n == 1:
            french.locator("summary").click()  # the French, under the English
            expect(french.locator(".quiz-stem")).to_be_visible()
            expect(english).to_be_visible()
        card.locator(".quiz-option input").first.check()
        if n == 2:
            card.locator("input[name=unsure]").check()
        card.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"after={n}$"))
        expect(page.locator(".quiz-verdict")).to_be_visible()
        expect(page.locator(".quiz-review-options .is-right").first).to_be_visible()
        expect(page.locator(".quiz-why").first).not_to_be_empty()
        page.locator("section.quiz-card .actions a.btn").click()

    expect(page.locator(".quiz-score .score-value")).to_contain_text("%")
    expect(page.locator("figure.quiz-chart svg")).to_be_visible()
    review = page.locator("ol.quiz-review > li")
    expect(review).to_have_count(10)
    expect(review.first.locator(".quiz-ref a")).to_be_visible()
    review.first.locator("details.quiz-fr summary").click()
    expect(review.first.locator("details.quiz-fr .quiz-fr-options li").first).to_be_visible()
