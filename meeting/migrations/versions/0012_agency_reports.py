"""Agencies' reports before a meeting: each one expected, received and shared with the
parents on a date, and any part withheld from the family with the reason, for the chair.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("shared_on", sa.Date(), nullable=True),
        sa.Column("withheld_summary", sa.Text(), nullable=False),
        sa.Column("withheld_reason", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "shared_on IS NULL OR (received_on IS NOT NULL AND shared_on >= received_on)",
            name=op.f("ck_agency_report_shared_after_received"),
        ),
        sa.CheckConstraint(
            "withheld_summary = '' OR withheld_reason <> ''",
            name=op.f("ck_agency_report_withheld_why"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agency_report_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_report")),
    )
    with op.batch_alter_table("agency_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_report_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("agency_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_report_meeting_id"))
    op.drop_table("agency_report")
