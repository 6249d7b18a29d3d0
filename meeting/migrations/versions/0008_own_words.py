"""The young person's own words on each item, given by them or by their advocate speaking
for them, and the work they attached (a statement, a drawing or a photo of one).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "own_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("for_them", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_own_words_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_own_words_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_own_words")),
        sa.UniqueConstraint("item_id", "attendee_id", name=op.f("uq_own_words_item_id")),
    )
    with op.batch_alter_table("own_words", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_own_words_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_own_words_attendee_id"), ["attendee_id"], unique=False)

    op.create_table(
        "own_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("for_them", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("on_display", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('image/png', 'image/jpeg', 'application/pdf')",
            name=op.f("ck_own_work_media_type"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_own_work_size")),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_own_work_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_own_work_item_id_item")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_own_work_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_own_work")),
    )
    with op.batch_alter_table("own_work", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_own_work_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_own_work_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_own_work_attendee_id"), ["attendee_id"], unique=False)


def downgrade():
    op.drop_table("own_work")
    op.drop_table("own_words")
