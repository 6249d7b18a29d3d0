"""Chairs' sessions carry a version, so a log-out ends every copy of the cookie.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chair", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("chair", schema=None) as batch_op:
        batch_op.drop_column("session_version")
