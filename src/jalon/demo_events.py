"""Sprint Reviews and Retrospectives of the demo's last closed sprints, made through the
ceremonies services: verdicts on the Sprint Goal, the Product Goal's progress, stakeholder
feedback (one turned into a backlog item), retro cards with dots, and action items, one of
them still open so that it shows in the next retro."""

from __future__ import annotations

from sqlalchemy import select

from jalon.ceremonies import services as ceremonies
from jalon.permissions import Actor
from jalon.sprints.models import Sprint
from jalon.uow import Database

REVIEWS = (
    ("met", 35, "Two companies onboarded; the night-shift pilot starts next month."),
    ("partly", 42, "Matching works on two of the three sites; the third waits for its map."),
    ("met", 50, "300 weekly carpoolers is in sight: 214 last week."),
)
FEEDBACK = (
    ("Marc Lefèvre, mobility manager", "Managers want the monthly report as a PDF to send on."),
    ("Night-shift team lead", "Drivers ask to see who is on the night roster before booking."),
    ("HR, pilot company 2", "New employees should be offered a ride in their welcome e-mail."),
)
RETROS = (
    ("start_stop_continue", (("start", "Pair on the matching algorithm"),
                             ("stop", "Merging on Friday afternoons"),
                             ("continue", "Demoing to a real driver every sprint"))),
    ("four_ls", (("liked", "The pilot users' quick answers"),
                 ("learned", "Night shifts change every three weeks"),
                 ("lacked", "A test device for older Android phones"),
                 ("longed_for", "A staging server the pilots can try"))),
    ("sailboat", (("wind", "Mobility managers champion the app"),
                  ("anchors", "Slow reviews of accessibility fixes"),
                  ("rocks", "The payment provider's contract renewal"),
                  ("island", "300 weekly carpoolers"))),
)  # fmt: skip
ACTIONS = (
    ("Book an older Android phone for testing", True),
    ("Review accessibility fixes within a day", False),
)


def _closed_sprints(db: Database, product_id: int) -> list[int]:
    with db.reader() as uow:
        stmt = select(Sprint.id).where(Sprint.product_id == product_id, Sprint.state == "closed")
        return list(uow.session.scalars(stmt.order_by(Sprint.starts_on.desc()).limit(3)))[::-1]


def seed_events(db: Database, po: Actor, team: list[Actor], product_id: int) -> None:
    """Reviews and retros of the three last closed sprints."""
    sprints = _closed_sprints(db, product_id)
    for n, sprint_id in enumerate(sprints):
        _review(db, po, sprint_id, n)
        _retro(db, team, sprint_id, n)
    if sprints:
        _actions(db, po, team, product_id, sprints[-1])


def _review(db: Database, po: Actor, sprint_id: int, n: int) -> None:
    verdict, progress, note = REVIEWS[n % len(REVIEWS)]
    values = {"goal_verdict": verdict, "progress_percent": progress, "progress_note": note,
              "attendees": "Camille Martin, Marc Lefèvre, the team"}  # fmt: skip
    ceremonies.update_review(db.uow(), actor=po, sprint_id=sprint_id, values=values, held=None)
    who, what = FEEDBACK[n % len(FEEDBACK)]
    feedback = ceremonies.add_feedback(db.uow(), actor=po, sprint_id=sprint_id, who=who, what=what)
    if n == len(REVIEWS) - 1:
        ceremonies.feedback_to_item(db.uow(), actor=po, feedback_id=feedback.id)
    ceremonies.update_review(db.uow(), actor=po, sprint_id=sprint_id, values={}, held=True)


def _retro(db: Database, team: list[Actor], sprint_id: int, n: int) -> None:
    fmt, cards = RETROS[n % len(RETROS)]
    ceremonies.update_retro(db.uow(), actor=team[0], sprint_id=sprint_id, fmt=fmt)
    for k, (column, text) in enumerate(cards):
        author = team[k % len(team)]
        card = ceremonies.add_card(
            db.uow(), actor=author, sprint_id=sprint_id, column=column, text=text
        )
        for j in range(1 + k % 2):  # one or two dots, from different people
            voter = team[(k + j) % len(team)]
            ceremonies.vote(db.uow(), actor=voter, card_id=card.id)


def _actions(db: Database, po: Actor, team: list[Actor], product_id: int, sprint_id: int) -> None:
    for k, (text, done) in enumerate(ACTIONS):
        values = {"text": text, "owner_id": team[k % len(team)].id}
        action = ceremonies.add_action(
            db.uow(), actor=po, product_id=product_id, values=values, sprint_id=sprint_id
        )
        if done:
            ceremonies.update_action(
                db.uow(), actor=po, action_id=action.id, values={"status": "done"}
            )
