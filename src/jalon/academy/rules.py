"""Who may see what in the Academy, as pure rules.

- Anyone signed in may learn: start scenario runs, take quizzes, follow the path. Their work is
  theirs alone.
- A trainer (`academy_role == "trainer"`) also creates cohorts, assigns work, reads the work of
  the trainees in their own cohorts, and manages the question bank (import, export, item
  statistics).
- An administrator may do everything.
A trainee opening another trainee's run gets 403 (Forbidden): the run exists, it is not theirs.
"""

from __future__ import annotations

from jalon.errors import N_

TRAINEE, TRAINER = "trainee", "trainer"
ACADEMY_ROLES = (TRAINEE, TRAINER)
ACADEMY_ROLE_LABELS = {TRAINEE: N_("Trainee"), TRAINER: N_("Trainer")}


def is_trainer(academy_role: str | None, *, is_admin: bool = False) -> bool:
    return is_admin or academy_role == TRAINER


def may_see_work_of(
    viewer_id: int | None,
    owner_id: int,
    *,
    viewer_is_admin: bool = False,
    viewer_trains_owner: bool = False,
) -> bool:
    """A learner sees their own work; their trainer and administrators see it too."""
    return viewer_is_admin or viewer_id == owner_id or viewer_trains_owner
