"""The unit of work: one use case, one transaction.

Services open `with db.uow() as uow:`, do their work, and call `uow.commit()` once.
Leaving the block without a commit rolls everything back, so nothing is half-written.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from jalon.db import WRITE_OPTION, make_engine, make_sessionmaker
from jalon.errors import N_, Label, NotFound, Unavailable
from jalon.settings import Settings

T = TypeVar("T")
NOT_FOUND = N_("The {what} {ident} does not exist.")


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session], *, write: bool) -> None:
        self._factory = factory
        self._write = write
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        if self._write:
            try:
                self._session.connection(execution_options={WRITE_OPTION: True})
            except OperationalError as exc:
                self._session.close()
                raise _busy(exc) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        self._session = None
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so callers can still read what a query returned.
        session.close()
        if isinstance(exc, OperationalError):
            raise _busy(exc) from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except OperationalError as exc:
            raise _busy(exc) from exc

    def get(self, model: type[T], ident: int, *, what: str) -> T:
        """The row with this id, or NotFound naming `what` (an N_-marked noun)."""
        obj = self.session.get(model, ident)
        if obj is None:
            raise NotFound(NOT_FOUND, what=Label(what, what), ident=ident)
        return obj

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    def flush(self) -> None:
        self.session.flush()


def _busy(exc: OperationalError) -> Unavailable:
    if "locked" in str(exc) or "busy" in str(exc):
        return Unavailable("the database is busy; try again in a moment")
    return Unavailable("the database is unavailable: {detail}", detail=str(exc.orig))


class Database:
    """The engine and session factory of one running Jalon, created from settings."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        # Every area's tables, so that foreign keys between areas (items.sprint_id ->
        # sprints.id...) resolve in any process, not only in those that load the whole app.
        import jalon.models  # noqa: F401

        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.factory = make_sessionmaker(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.factory, write=True)

    def reader(self) -> UnitOfWork:
        return UnitOfWork(self.factory, write=False)

    def dispose(self) -> None:
        self.engine.dispose()
