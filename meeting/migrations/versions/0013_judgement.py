"""Judgement that resists the known failures: a rating's plausible range and how sure the
rater is, or "I can't rate this yet: I need …" instead of a value; a reveal without names on
the shared screens; a decision's target for the review and the question asked when a rating
moved against what was done; copied items confirmed by the chair.

Ratings already given had no range and said nothing of sureness; items already copied into
a review are taken as confirmed, since their meetings were prepared without the mark.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SURENESS = ("sure", "fairly", "unsure")
NEEDS_NO_VALUE = (
    "needs = '' OR (score IS NULL AND likelihood IS NULL AND severity IS NULL "
    "AND choice IS NULL AND low IS NULL AND high IS NULL)"
)


def upgrade():
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(sa.Column("low", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("high", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "sure",
                sa.Enum(
                    *SURENESS, name="sureness", native_enum=False, create_constraint=True, length=8
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("needs", sa.Text(), server_default="", nullable=False))
        batch_op.create_check_constraint("low", "low IS NULL OR low BETWEEN 0 AND 25")
        batch_op.create_check_constraint("high", "high IS NULL OR high BETWEEN 0 AND 25")
        batch_op.create_check_constraint(
            "low_to_high", "low IS NULL OR high IS NULL OR low <= high"
        )
        batch_op.create_check_constraint("needs_no_value", NEEDS_NO_VALUE)
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reveal_unnamed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE item SET confirmed_at = CURRENT_TIMESTAMP WHERE previous_item_id IS NOT NULL")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_point", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_choice", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("change_question", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("change_evidence", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_column("change_evidence")
        batch_op.drop_column("change_question")
        batch_op.drop_column("target_choice")
        batch_op.drop_column("target_point")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("reveal_unnamed")
    # The checks go first: SQLite copies them into the table made without the columns.
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_rating_needs_no_value"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rating_low_to_high"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rating_high"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rating_low"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_rating_sureness"), type_="check")
        batch_op.drop_column("needs")
        batch_op.drop_column("sure")
        batch_op.drop_column("high")
        batch_op.drop_column("low")
