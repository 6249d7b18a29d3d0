"""The event log becomes a hash chain; a reveal records where it sealed the ratings.

Lines already in the log are chained as they stand, in the order they were written.

Revision ID: 0004
Revises: 0003
"""

import hashlib
import json
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _hash(fields: list) -> str:
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chain_existing_lines() -> None:
    # The same hash as the application's (record.chain.entry_hash), written out here so
    # this step stays as it was when later releases change the application.
    bind = op.get_bind()
    event = sa.table(
        "event",
        sa.column("id", sa.Integer),
        sa.column("meeting_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("detail", sa.Text),
        sa.column("nonce", sa.String),
        sa.column("prev", sa.String),
        sa.column("hash", sa.String),
    )
    rows = bind.execute(
        sa.select(
            event.c.id,
            event.c.meeting_id,
            event.c.at,
            event.c.actor,
            event.c.action,
            event.c.detail,
        ).order_by(event.c.meeting_id, event.c.id)
    ).all()
    seq: dict[int, int] = {}
    prev: dict[int, str] = {}
    for row in rows:
        number = seq[row.meeting_id] = seq.get(row.meeting_id, 0) + 1
        before = prev.get(row.meeting_id, GENESIS)
        nonce = secrets.token_hex(16)
        fields = [
            row.meeting_id,
            number,
            row.at.isoformat(timespec="microseconds"),
            row.actor,
            row.action,
            row.detail or "",
            "",
            "",
            nonce,
            before,
        ]
        prev[row.meeting_id] = _hash(fields)
        bind.execute(
            event.update()
            .where(event.c.id == row.id)
            .values(seq=number, nonce=nonce, prev=before, hash=prev[row.meeting_id])
        )


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("subject", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("content", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("nonce", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("prev", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), server_default="", nullable=False)
        )
    _chain_existing_lines()
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_event_subject"), ["subject"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_event_meeting_id"), ["meeting_id", "seq"])
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("sealed_head", sa.String(length=64), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("sealed_head")
        batch_op.drop_column("sealed_seq")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_event_meeting_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_event_subject"))
        for name in ("hash", "prev", "nonce", "content", "subject", "seq"):
            batch_op.drop_column(name)
