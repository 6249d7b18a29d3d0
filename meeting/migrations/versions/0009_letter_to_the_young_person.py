"""The chair's letter to the young person: its draft (one per meeting), each version as it
was sent (frozen, with its digest and whom it went to), and every attempt to send one.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RESULTS = ("pending", "sent", "outbox", "refused", "failed")


def upgrade():
    op.create_table(
        "letter_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_letter_draft_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_draft")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_letter_draft_meeting_id")),
    )

    op.create_table(
        "letter_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_letter_version_number")),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_letter_version_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_letter_version_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_version")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_letter_version_meeting_id")),
    )
    with op.batch_alter_table("letter_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_version_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_letter_version_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "letter_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                *RESULTS,
                name="deliveryresult",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_letter_delivery_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["letter_version.id"],
            name=op.f("fk_letter_delivery_version_id_letter_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_delivery")),
    )
    with op.batch_alter_table("letter_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_delivery_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_letter_delivery_version_id"), ["version_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("letter_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_delivery_version_id"))
        batch_op.drop_index(batch_op.f("ix_letter_delivery_attendee_id"))
    op.drop_table("letter_delivery")
    with op.batch_alter_table("letter_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_version_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_letter_version_attendee_id"))
    op.drop_table("letter_version")
    op.drop_table("letter_draft")
