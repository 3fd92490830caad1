"""Import every area's models so that `Base.metadata` is complete (Alembic, tests)."""

from jalon import activity
from jalon.academy import models as academy
from jalon.academy.path import models as academy_path
from jalon.academy.quiz import models as academy_quiz
from jalon.academy.runs import models as academy_runs
from jalon.accounts import models as accounts
from jalon.backlog import models as backlog
from jalon.ceremonies import models as ceremonies
from jalon.db import Base
from jalon.discovery import models as discovery
from jalon.feedback import models as feedback
from jalon.forecasting import models as forecasting
from jalon.history import models as history
from jalon.portal import models as portal
from jalon.prioritisation import models as prioritisation
from jalon.products import models as products
from jalon.releases import models as releases
from jalon.signals import models as signals
from jalon.sprints import models as sprints
from jalon.themes import models as themes

__all__ = [
    "Base",
    "academy",
    "academy_path",
    "academy_quiz",
    "academy_runs",
    "accounts",
    "activity",
    "backlog",
    "ceremonies",
    "discovery",
    "feedback",
    "forecasting",
    "history",
    "portal",
    "prioritisation",
    "products",
    "releases",
    "signals",
    "sprints",
    "themes",
]
