"""The database itself refuses what the record must never hold, on SQLite and on PostgreSQL.

Rows are written with plain SQL, past the application's own checks, as a bug, a script or
a hand edit would. Each refusal is paired with the same row done right, which is accepted,
so a refusal can only come from the constraint under test.
"""

import secrets
from collections.abc import Iterator

import pytest
from conftest import postgres_database
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError

from meeting import create_app
from meeting.extensions import db
from meeting.models import Meeting, MeetingStatus


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_app(request, tmp_path, monkeypatch):
    """The application on each database it supports, with its tables made by create_app."""
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    if request.param == "sqlite":
        databases: Iterator[str] = iter([f"sqlite:///{tmp_path / 'meeting.sqlite3'}"])
    else:
        databases = postgres_database()
    url = next(databases)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "ANNOUNCE_SETUP_CODE": False,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    next(databases, None)


def _meeting(sql: Connection, status: str = "setup") -> int:
    """Insert a chair and a meeting with this status; return the meeting's id."""
    chair = sql.execute(
        text(
            "INSERT INTO chair (email, name, agency, password_hash, created_at) "
            "VALUES (:email, 'Sam', '', 'x', CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"email": f"{secrets.token_hex(4)}@example.org"},
    ).scalar_one()
    return sql.execute(
        text(
            "INSERT INTO meeting (chair_id, title, kind, child, starts_at, place, join_code, "
            "display_token, status, created_at, inquorate_reason, minutes_summary, "
            "minutes_undecided_reason, minutes_withheld) VALUES (:chair, 'Review', 'other', "
            "'A.B.', CURRENT_TIMESTAMP, '', :code, :token, :status, CURRENT_TIMESTAMP, '', '', "
            "'', '{}') RETURNING id"
        ),
        {
            "chair": chair,
            "code": secrets.token_hex(3),
            "token": secrets.token_hex(8),
            "status": status,
        },
    ).scalar_one()


def _open_round(sql: Connection) -> tuple[int, int]:
    """Insert a meeting with an item, an attendee and a round; return (round id, attendee id)."""
    meeting = _meeting(sql, "running")
    item = sql.execute(
        text(
            "INSERT INTO item (meeting_id, position, title, body, scale, choices) "
            "VALUES (:m, 1, 'Risk', '', 'safety', '[]') RETURNING id"
        ),
        {"m": meeting},
    ).scalar_one()
    attendee = sql.execute(
        text(
            "INSERT INTO attendee (meeting_id, name, role, agency, status, observer, is_chair, "
            "email, joined_at) VALUES (:m, 'Priya', '', 'Police', 'admitted', false, false, '', "
            "CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"m": meeting},
    ).scalar_one()
    round_ = sql.execute(
        text(
            "INSERT INTO round (item_id, number, opened_at, controls, divergence_note) "
            "VALUES (:i, 1, CURRENT_TIMESTAMP, '', '') RETURNING id"
        ),
        {"i": item},
    ).scalar_one()
    return round_, attendee


def _rating(sql: Connection, round_: int, attendee: int, **value: int) -> None:
    columns = ", ".join(value)
    marks = ", ".join(f":{k}" for k in value)
    sql.execute(
        text(
            f"INSERT INTO rating (round_id, attendee_id, {columns}, reason, first_submitted_at, "
            f"submitted_at, written, report) VALUES (:r, :a, {marks}, '', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, false, '')"
        ),
        {"r": round_, "a": attendee, **value},
    )


def _refused(app, write) -> bool:
    """Run a write in a transaction of its own; say whether the database refused it."""
    with app.app_context(), db.engine.connect() as sql:
        try:
            with sql.begin():
                write(sql)
        except IntegrityError:
            return True
    return False


def test_a_meeting_status_outside_the_list_is_refused(engine_app):
    assert not _refused(engine_app, lambda sql: _meeting(sql, "closed"))
    assert _refused(engine_app, lambda sql: _meeting(sql, "exploded"))


def test_a_kind_scale_or_attendee_status_outside_the_list_is_refused(engine_app):
    def meeting_kind(kind: str):
        def write(sql: Connection) -> None:
            meeting = _meeting(sql)
            sql.execute(
                text("UPDATE meeting SET kind = :k WHERE id = :m"), {"k": kind, "m": meeting}
            )

        return write

    def attendee_status(status: str):
        def write(sql: Connection) -> None:
            _round, attendee = _open_round(sql)
            sql.execute(
                text("UPDATE attendee SET status = :s WHERE id = :a"), {"s": status, "a": attendee}
            )

        return write

    def scale(name: str):
        def write(sql: Connection) -> None:
            _open_round(sql)
            sql.execute(text("UPDATE item SET scale = :s"), {"s": name})

        return write

    for make, good, bad in (
        (meeting_kind, "strategy", "tea party"),
        (attendee_status, "absent", "asleep"),
        (scale, "lxs", "vibes"),
    ):
        assert not _refused(engine_app, make(good))
        assert _refused(engine_app, make(bad))


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ({"score": 10}, {"score": 99}),
        ({"score": 0}, {"score": -1}),
        ({"likelihood": 5, "severity": 1}, {"likelihood": 6, "severity": 1}),
        ({"likelihood": 1, "severity": 5}, {"likelihood": 1, "severity": 0}),
    ],
)
def test_a_rating_off_its_scale_is_refused(engine_app, good, bad):
    def rate(value: dict[str, int]):
        def write(sql: Connection) -> None:
            round_, attendee = _open_round(sql)
            _rating(sql, round_, attendee, **value)

        return write

    assert not _refused(engine_app, rate(good))
    assert _refused(engine_app, rate(bad))


def test_rows_for_a_meeting_or_round_that_does_not_exist_are_refused(engine_app):
    def event(meeting_of):
        def write(sql: Connection) -> None:
            meeting = meeting_of(sql)
            sql.execute(
                text(
                    "INSERT INTO event (meeting_id, seq, at, actor, action, detail) "
                    "VALUES (:m, 1, CURRENT_TIMESTAMP, 'Sam', 'did a thing', '')"
                ),
                {"m": meeting},
            )

        return write

    assert not _refused(engine_app, event(_meeting))
    assert _refused(engine_app, event(lambda sql: 987_654_321))

    def rating_in(round_of):
        def write(sql: Connection) -> None:
            round_, attendee = _open_round(sql)
            _rating(sql, round_of(round_), attendee, score=5)

        return write

    assert not _refused(engine_app, rating_in(lambda real: real))
    assert _refused(engine_app, rating_in(lambda real: real + 1000))


def test_a_link_ended_for_no_known_reason_or_twice_is_refused(engine_app):
    """A stopped link says why (withdrawn or expired), and one secret ends only once."""

    def ended(why: str, digest: str = ""):
        def write(sql: Connection) -> None:
            meeting = _meeting(sql, "running")
            sql.execute(
                text(
                    "INSERT INTO ended_link (meeting_id, attendee_id, digest, why, ended_at) "
                    "VALUES (:m, NULL, :d, :w, CURRENT_TIMESTAMP)"
                ),
                {"m": meeting, "d": digest or secrets.token_hex(32), "w": why},
            )

        return write

    assert not _refused(engine_app, ended("withdrawn"))
    assert _refused(engine_app, ended("forgotten"))
    twice = secrets.token_hex(32)
    assert not _refused(engine_app, ended("expired", twice))
    assert _refused(engine_app, ended("withdrawn", twice))


def test_the_application_cannot_store_an_unknown_status_either(engine_app):
    with engine_app.app_context():
        meeting_id = None
        with db.engine.begin() as sql:
            meeting_id = _meeting(sql)
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status is MeetingStatus.SETUP
        meeting.status = "exploded"
        with pytest.raises(StatementError):
            db.session.commit()
        db.session.rollback()


def test_foreign_key_columns_are_indexed(engine_app):
    from sqlalchemy import inspect

    with engine_app.app_context():
        inspector = inspect(db.engine)
        for table in inspector.get_table_names():
            indexed = {tuple(i["column_names"]) for i in inspector.get_indexes(table)} | {
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            }
            for key in inspector.get_foreign_keys(table):
                columns = tuple(key["constrained_columns"])
                assert any(cols[: len(columns)] == columns for cols in indexed), (table, columns)


def test_the_copies_the_database_accepts_are_the_minutes_groups():
    import minutes
    from meeting.models import CopyGroup

    assert {group.value for group in CopyGroup} == set(minutes.GROUPS)


def test_sqlite_is_set_for_durable_concurrent_meetings(app):
    """WAL, synchronous FULL, a busy timeout, foreign keys and deleted rows overwritten: on
    every connection."""
    with app.app_context():
        for _ in range(2):
            with db.engine.connect() as sql:
                assert sql.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert sql.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
                assert sql.execute(text("PRAGMA busy_timeout")).scalar() == 15000
                assert sql.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert sql.execute(text("PRAGMA secure_delete")).scalar() == 1
        db.engine.dispose()
