"""Who someone is in the meeting is said, not guessed: each attendee has a part (a
professional, a parent or carer, the young person...); each rating a track (the
professionals' or the family's); each meeting says whether the family rates, whether the
family is out of the room and whether they see the display; an item can be restricted
from the family.

People who joined before parts existed become what their typed agency said they were,
as the quorum and the minutes read it then. Ratings already given stay on the
professionals' track: a revealed round never changes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PARTS = ("professional", "parent", "family", "young_person", "advocate", "interpreter", "observer")
TRACKS = ("professionals", "family")


def upgrade():
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "part",
                sa.Enum(*PARTS, name="part", native_enum=False, create_constraint=True, length=16),
                server_default="professional",
                nullable=False,
            )
        )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "track",
                sa.Enum(
                    *TRACKS, name="track", native_enum=False, create_constraint=True, length=16
                ),
                server_default="professionals",
                nullable=False,
            )
        )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("family_rates", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("family_out", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "family_sees_display", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute("UPDATE meeting SET family_rates = (kind = 'cp_conference')")
    agency = "LOWER(agency)"
    for part, words in (
        ("young_person", ("young person",)),
        ("parent", ("parent", "mother", "father")),
        ("family", ("family", "grandparent")),
    ):
        matches = " OR ".join(f"{agency} LIKE '%{word}%'" for word in words)
        op.execute(
            f"UPDATE attendee SET part = '{part}' WHERE part = 'professional' AND ({matches})"
        )


def downgrade():
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("restricted")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("family_sees_display")
        batch_op.drop_column("family_out")
        batch_op.drop_column("family_rates")
    # The check on each word goes first: SQLite copies it into the table made without the column.
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_rating_track"), type_="check")
        batch_op.drop_column("track")
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_attendee_part"), type_="check")
        batch_op.drop_column("part")
