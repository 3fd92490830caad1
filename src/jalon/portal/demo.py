"""The demo product's public portal, made only through the services (called by `jalon.demo`).

The portal is open at /portal/covoitzone (or the product's slug): sixteen ideas from
commuters with votes, comments, statuses (one follows a backlog item), a duplicate merged
into its original, and three submissions waiting in the moderation queue.
"""

from __future__ import annotations

from sqlalchemy import select

from jalon.backlog.models import Item
from jalon.permissions import Actor
from jalon.portal import rules, services
from jalon.portal.visitor import services as visitor
from jalon.uow import Database

# (title, description, author, votes, status, comments)
IDEAS: tuple[tuple[str, str, str, int, str, tuple[str, ...]], ...] = (
    (
        "Guaranteed ride home after a late shift",
        "When my shift ends at 22:00 my driver has already gone. A taxi voucher or a backup "
        "driver would make me sign up.",
        "Nadia",
        14,
        "in_progress",
        ("Same for the logistics night team.", "Would it work on Sundays too?"),
    ),
    (
        "Match me with colleagues of my own company first",
        "I'd feel safer riding with people from my company before strangers.",
        "Julien",
        9,
        "planned",
        ("Yes, at least as a filter.",),
    ),
    (
        "Show the CO₂ saved each month",
        "Our CSR team would love a monthly figure per company.",
        "Claire",
        7,
        "shipped",
        ("Love the new monthly summary!",),
    ),
    (
        "Recurring rides for my weekly schedule",
        "I work Monday to Thursday, 7:00 to 15:30. Let me publish it once.",
        "Thomas",
        11,
        "planned",
        (),
    ),
    (
        "Split the fuel cost automatically",
        "Paying back in cash every Friday is awkward.",
        "Emma",
        8,
        "under_review",
        ("Lydia or bank transfer would be fine.",),
    ),
    ("Dark mode for the app", "The screen is blinding at 5 a.m.", "Kevin", 4, "under_review", ()),
    (
        "Reserved carpool parking near building B",
        "Spots for carpoolers near the entrance would convince my manager.",
        "Sarah",
        7,
        "planned",
        ("Talk to the park's facility manager.",),
    ),
    (
        "Ride requests by SMS for people without a smartphone",
        "Some of our warehouse staff only have a basic phone.",
        "Michel",
        3,
        "under_review",
        (),
    ),
    (
        "Notify me when a driver leaves late",
        "A push message when the driver is 5 minutes late.",
        "Aurélie",
        5,
        "in_progress",
        (),
    ),
    (
        "Women-only rides option",
        "Some colleagues would only ride with women at night.",
        "Inès",
        6,
        "under_review",
        ("Important for the night shifts.",),
    ),
    (
        "Export my rides for the mobility allowance",
        "The *forfait mobilités durables* needs proof of carpooling.",
        "Paul",
        5,
        "shipped",
        (),
    ),
    (
        "Pick-up points at the tram terminus",
        "Meeting at the T3 terminus would add many riders.",
        "Lucie",
        4,
        "under_review",
        (),
    ),
    (
        "Rate drivers after each ride",
        "",
        "Bastien",
        1,
        "declined",
        ("We prefer not to rate colleagues.",),
    ),
)
DUPLICATE = ("A taxi when my driver has left", "Same as the ride home idea.", "Hugo")
PENDING = (
    ("Integrate with the company badge system", "Use our badge to check in to a ride.", "Marc"),
    ("Carpool to the airport for business trips", "The airport is next door!", "Sonia"),
    ("Free coffee for carpoolers", "", ""),
)


def _votes(db: Database, slug: str, idea_id: int, count: int, serial: int) -> None:
    for n in range(count):
        visitor.vote(
            db.uow(), slug=slug, idea_id=idea_id, voter=f"demo-{serial}-{n}",
            client=f"demo-vote-{serial}-{n}",
        )  # fmt: skip


def _first_item(db: Database, product_id: int) -> int | None:
    with db.reader() as uow:
        stmt = select(Item.id).where(Item.product_id == product_id, Item.type != "epic")
        return uow.session.scalars(stmt.order_by(Item.rank, Item.id)).first()


def _publish(
    db: Database, po: Actor, product_id: int, slug: str, serial: int, idea: tuple[str, str, str]
) -> int:
    made = visitor.submit_idea(
        db.uow(), slug=slug, title=idea[0], description=idea[1], name=idea[2],
        client=f"demo-submit-{serial}",
    )  # fmt: skip
    assert made is not None
    services.moderate(
        db.uow(), actor=po, product_id=product_id, idea_ids=[made.id], decision="approve"
    )
    return made.id


def seed_portal(db: Database, po: Actor, product_id: int, *, slug: str = "covoitzone") -> list[int]:
    """Open the product's portal at `slug` and fill it; the published ideas' ids."""
    services.update_settings(
        db.uow(), actor=po, product_id=product_id, enabled=True, slug=slug,
        welcome="Tell us what would make you **carpool to the park**. Vote for the ideas "
        "you want most: the team reads everything and answers here.",
        shown_statuses=rules.STATUSES, group_by_theme=True,
    )  # fmt: skip
    ids: list[int] = []
    for serial, (title, text, author, votes, status, comments) in enumerate(IDEAS):
        idea_id = _publish(db, po, product_id, slug, serial, (title, text, author))
        _votes(db, slug, idea_id, votes, serial)
        services.set_status(db.uow(), actor=po, idea_id=idea_id, status=status)
        for n, body in enumerate(comments):
            visitor.add_comment(db.uow(), slug=slug, idea_id=idea_id, body=body,
                                client=f"demo-comment-{serial}-{n}")  # fmt: skip
        ids.append(idea_id)
    services.reply(db.uow(), actor=po, idea_id=ids[0],
                   body="We are testing partner taxis with two companies this sprint.")  # fmt: skip
    if (item_id := _first_item(db, product_id)) is not None:
        services.link_item(db.uow(), actor=po, idea_id=ids[3], item_id=item_id)
    dupe = _publish(db, po, product_id, slug, 100, DUPLICATE)
    _votes(db, slug, dupe, 3, 100)
    services.merge_ideas(db.uow(), actor=po, idea_id=dupe, into_id=ids[0])
    for serial, (title, text, author) in enumerate(PENDING, start=200):
        visitor.submit_idea(db.uow(), slug=slug, title=title, description=text, name=author,
                            client=f"demo-submit-{serial}")  # fmt: skip
    return ids
