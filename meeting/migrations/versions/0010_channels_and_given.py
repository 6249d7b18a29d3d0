"""How each person takes part (in the room, on video, on a phone line, on paper), and how
each rating reached its round (on the rater's own device, entered by the chair from a phone
line, a paper slip or told privately, or a written contribution).

Everyone who joined before was in the room; every rating already given came from a device,
except the written contributions, which say so.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHANNELS = ("room", "video", "phone", "paper")
GIVEN = ("device", "phone", "paper", "told", "written")


def upgrade():
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel",
                sa.Enum(
                    *CHANNELS, name="channel", native_enum=False, create_constraint=True, length=8
                ),
                server_default="room",
                nullable=False,
            )
        )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "given",
                sa.Enum(*GIVEN, name="given", native_enum=False, create_constraint=True, length=8),
                server_default="device",
                nullable=False,
            )
        )
    op.execute("UPDATE rating SET given = 'written' WHERE written")


def downgrade():
    # The check on each word goes first: SQLite copies it into the table made without the column.
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_rating_given"), type_="check")
        batch_op.drop_column("given")
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_attendee_channel"), type_="check")
        batch_op.drop_column("channel")
