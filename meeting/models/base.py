"""The declarative base every table shares, and the helpers the tables are written with.

Nothing here imports Flask: the rules work on these models with a plain SQLAlchemy
session, and the web layer binds the same metadata to Flask-SQLAlchemy.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, Session, object_session, scoped_session

# The session a rule is handed: a plain one, or the scoped one the web layer shares.
AnySession: TypeAlias = Session | scoped_session[Any]


class Base(DeclarativeBase):
    """The declarative base of every table of the record."""

    # Stable constraint names, so a later migration can refer to them.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def utcnow() -> datetime:
    """Return the current time as naive UTC, the form every stored time takes."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(kind: type[StrEnum], length: int = 20) -> Enum:
    """Store a StrEnum as its plain word, with a CHECK constraint that refuses any other."""
    return Enum(
        kind,
        name=kind.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def session_of(thing: Any) -> Session:
    """Return the session a loaded row belongs to; rules reach the database through it."""
    session = object_session(thing)
    if session is None:
        raise RuntimeError(f"{thing!r} is not in a session.")
    return session
