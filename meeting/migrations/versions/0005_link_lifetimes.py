"""Links with a lifetime: a reader link knows when it was issued; a link that stopped
working (withdrawn by the chair, or out of time) is kept as a digest; each opening is noted.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reader_issued_at", sa.DateTime(), nullable=True))
    # A link made before links had a lifetime counts from its meeting's first circulation.
    op.execute(
        "UPDATE attendee SET reader_issued_at = COALESCE("
        "(SELECT MIN(minutes_version.circulated_at) FROM minutes_version "
        "WHERE minutes_version.meeting_id = attendee.meeting_id), CURRENT_TIMESTAMP) "
        "WHERE reader_token IS NOT NULL"
    )

    op.create_table(
        "ended_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column(
            "why",
            sa.Enum(
                "withdrawn",
                "expired",
                name="linkend",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_ended_link_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_ended_link_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ended_link")),
        sa.UniqueConstraint("digest", name=op.f("uq_ended_link_digest")),
    )
    with op.batch_alter_table("ended_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ended_link_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ended_link_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "link_opening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_link_opening_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_link_opening_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_opening")),
    )
    with op.batch_alter_table("link_opening", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_link_opening_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_link_opening_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("link_opening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_opening_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_link_opening_attendee_id"))
    op.drop_table("link_opening")

    with op.batch_alter_table("ended_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ended_link_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_ended_link_attendee_id"))
    op.drop_table("ended_link")

    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_column("reader_issued_at")
