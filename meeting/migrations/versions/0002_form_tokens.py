"""Forms remember their one-time tokens, so a form sent twice is acted on once.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_token",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_token")),
    )
    with op.batch_alter_table("form_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_token_used_at"), ["used_at"], unique=False)


def downgrade():
    with op.batch_alter_table("form_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_token_used_at"))

    op.drop_table("form_token")
