"""Welcome back at a review: the device each person joined from (a digest, never the
device's token), the earlier person whose details they joined with, and the invitations to
a review, each with a personal link kept only as its digest.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

RESULTS = ("pending", "sent", "outbox", "refused", "failed")


def upgrade():
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("previous_attendee_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_attendee_device_digest"), ["device_digest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendee_previous_attendee_id"), ["previous_attendee_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attendee_previous_attendee_id_attendee"),
            "attendee",
            ["previous_attendee_id"],
            ["id"],
        )

    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=200), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
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
            ["attendee_id"], ["attendee.id"], name=op.f("fk_invitation_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_invitation_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("digest", name=op.f("uq_invitation_digest")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invitation_meeting_id"), ["meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_attendee_id"))
    op.drop_table("invitation")
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_attendee_previous_attendee_id_attendee"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_attendee_previous_attendee_id"))
        batch_op.drop_index(batch_op.f("ix_attendee_device_digest"))
        batch_op.drop_column("previous_attendee_id")
        batch_op.drop_column("device_digest")
