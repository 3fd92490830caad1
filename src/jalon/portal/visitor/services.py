"""What anonymous visitors of a public portal write: ideas, votes and comments.

Each is one transaction, rate limited per client address and product (rules.LIMITS, by the
login throttle's rule). A filled honeypot field means a robot: the call answers as if it
had worked and writes nothing (so the robot learns nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from jalon import activity
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import N_, Conflict, NotFound, TooManyRequests
from jalon.feedback.models import Customer, Feedback
from jalon.permissions import Actor
from jalon.portal import queries, rules
from jalon.portal.models import Idea, IdeaComment, IdeaVote, PortalHit
from jalon.themes import placement
from jalon.uow import NOT_FOUND, UnitOfWork

VISITOR = N_("a portal visitor")


def _throttle(uow: UnitOfWork, product_id: int, kind: str, client: str, now: datetime) -> None:
    since = now - timedelta(seconds=rules.LIMITS[kind][1])
    stmt = select(PortalHit.at).where(
        PortalHit.product_id == product_id, PortalHit.kind == kind,
        PortalHit.client == client, PortalHit.at >= since,
    )  # fmt: skip
    if wait := rules.wait_seconds(kind, uow.session.scalars(stmt), now=now):
        raise TooManyRequests(
            "You are going a little fast. Try again in {seconds} s.", retry_after=wait, seconds=wait
        )


def _hit(uow: UnitOfWork, product_id: int, kind: str, client: str, now: datetime) -> None:
    old = now - timedelta(seconds=rules.LONGEST_WINDOW)
    uow.session.execute(
        delete(PortalHit).where(
            PortalHit.product_id == product_id, PortalHit.client == client, PortalHit.at < old
        )
    )
    uow.add(PortalHit(product_id=product_id, kind=kind, client=client, at=now))


def _customer_id(uow: UnitOfWork, product_id: int, email: str) -> int | None:
    if not email:
        return None
    stmt = select(Customer.id).where(
        Customer.product_id == product_id, func.lower(Customer.email) == email
    )
    return uow.session.scalars(stmt.order_by(Customer.id)).first()


def submit_idea(
    uow: UnitOfWork, *, slug: str, title: str, description: str = "", name: str = "",
    email: str = "", honeypot: str = "", client: str = "",
) -> Idea | None:  # fmt: skip
    """A visitor's idea, waiting in the moderation queue, and its feedback (source "portal",
    state "pending") placed in the themes; None when the honeypot was filled."""
    with uow:
        _settings, product = queries.open_portal(uow, slug)
        if honeypot.strip():
            return None
        now = utcnow()
        _throttle(uow, product.id, "submit", client, now)
        sub = rules.check_submission(title, description, name, email)
        feedback = Feedback(
            product_id=product.id, text=f"{sub.title}\n\n{sub.description}".strip(),
            source="portal", state="pending", author_name=sub.name, author_email=sub.email,
            customer_id=_customer_id(uow, product.id, sub.email), received_at=now,
            created_at=now, actor_label=sub.name or "portal",
        )  # fmt: skip
        uow.add(feedback)
        uow.flush()
        idea = Idea(
            product_id=product.id, feedback_id=feedback.id, title=sub.title,
            description=sub.description, author_name=sub.name, author_email=sub.email,
            state="pending", status="under_review", created_at=now, updated_at=now,
        )  # fmt: skip
        uow.add(idea)
        uow.flush()
        placement.place_feedback(uow, product.id, [feedback.id])
        _hit(uow, product.id, "submit", client, now)
        activity.record(
            uow, "portal.idea.submitted", Subject("idea", idea.id, idea.title),
            actor=Actor(None, sub.name or VISITOR), product_id=product.id,
        )  # fmt: skip
        uow.commit()
    return idea


def _visible_idea(uow: UnitOfWork, slug: str, idea_id: int) -> Idea:
    """A published idea of the portal the public may see (a merged one: its survivor)."""
    settings, product = queries.open_portal(uow, slug)
    idea = uow.session.get(Idea, idea_id)
    if idea is not None and idea.product_id == product.id:
        idea = queries.survivor_of(uow, idea)
        row = queries.idea_rows(uow, product.id, [idea])[0]
        if idea.state == "published" and row.status in settings.shown_statuses:
            return idea
    raise NotFound(NOT_FOUND, what=queries.IDEA, ident=idea_id)


def vote(
    uow: UnitOfWork, *, slug: str, idea_id: int, voter: str, email: str = "", client: str = ""
) -> Idea:
    """One vote per visitor (voter id) and per e-mail; voting again changes nothing."""
    mail = rules.check_vote_email(email)
    with uow:
        idea = _visible_idea(uow, slug, idea_id)
        now = utcnow()
        _throttle(uow, idea.product_id, "vote", client, now)
        mine = select(IdeaVote.id).where(IdeaVote.idea_id == idea.id, IdeaVote.voter == voter)
        if uow.session.scalar(mine) is not None:
            return idea
        uow.add(IdeaVote(idea_id=idea.id, voter=voter, email=mail, created_at=now))
        try:
            uow.flush()
        except IntegrityError as exc:
            raise Conflict(
                "This e-mail address has already voted for this idea.", field="email"
            ) from exc
        _hit(uow, idea.product_id, "vote", client, now)
        uow.commit()
    return idea


def withdraw_vote(
    uow: UnitOfWork, *, slug: str, idea_id: int, voter: str, client: str = ""
) -> Idea:
    with uow:
        idea = _visible_idea(uow, slug, idea_id)
        now = utcnow()
        _throttle(uow, idea.product_id, "vote", client, now)
        gone = uow.session.execute(
            delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.voter == voter)
        )
        if getattr(gone, "rowcount", 0):
            _hit(uow, idea.product_id, "vote", client, now)
        uow.commit()
    return idea


def add_comment(
    uow: UnitOfWork, *, slug: str, idea_id: int, body: str, name: str = "",
    honeypot: str = "", client: str = "",
) -> IdeaComment | None:  # fmt: skip
    """A visitor's comment, published at once (the PO may hide it); None for a robot."""
    with uow:
        idea = _visible_idea(uow, slug, idea_id)
        if honeypot.strip():
            return None
        now = utcnow()
        _throttle(uow, idea.product_id, "comment", client, now)
        text, author = rules.check_comment(body, name)
        comment = IdeaComment(
            idea_id=idea.id, author_name=author, body=text, from_team=False, hidden=False,
            created_at=now,
        )  # fmt: skip
        uow.add(comment)
        _hit(uow, idea.product_id, "comment", client, now)
        uow.commit()
    return comment
