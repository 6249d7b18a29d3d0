"""Child cases: meetings about one child belong to a case; a review knows the meeting and
items it follows; actions get statuses and decisions forecasts, answered at the review; a
case keeps a chronology and the triggers that brought a review forward.

Every meeting held before cases existed becomes the first meeting of a case of its own.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "child_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["chair.id"], name=op.f("fk_child_case_created_by_id_chair")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_case")),
    )
    with op.batch_alter_table("child_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_child_case_created_by_id"), ["created_by_id"], unique=False
        )

    op.create_table(
        "chronology_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["child_case.id"], name=op.f("fk_chronology_entry_case_id_child_case")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_chronology_entry_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chronology_entry")),
    )
    with op.batch_alter_table("chronology_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chronology_entry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chronology_entry_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "review_trigger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["meeting.id"],
            name=op.f("fk_review_trigger_answered_by_id_meeting"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["child_case.id"], name=op.f("fk_review_trigger_case_id_child_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_trigger")),
    )
    with op.batch_alter_table("review_trigger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_trigger_answered_by_id"), ["answered_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_trigger_case_id"), ["case_id"], unique=False)

    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "done",
                "partly",
                "not_done",
                "not_needed",
                name="actionstatus",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("by_owner", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_update_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_action_update_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_update_action_id"), ["action_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_update_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "forecast_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("forecast", sa.Text(), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "met",
                "partly",
                "not_met",
                name="forecastresult",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("line >= 1", name=op.f("ck_forecast_outcome_line")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_forecast_outcome_decision_id_decision")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_forecast_outcome_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_outcome")),
    )
    with op.batch_alter_table("forecast_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forecast_outcome_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forecast_outcome_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forecast", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_item_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_item_previous_item_id"), ["previous_item_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_item_previous_item_id_item"), "item", ["previous_item_id"], ["id"]
        )

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_meeting_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_previous_id"), ["previous_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_case_id_child_case"), "child_case", ["case_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_previous_id_meeting"), "meeting", ["previous_id"], ["id"]
        )

    _a_case_for_each_meeting()


def _a_case_for_each_meeting() -> None:
    sql = op.get_bind()
    meetings = sql.execute(sa.text("SELECT id, child, created_at, chair_id FROM meeting"))
    for meeting_id, child, created_at, chair_id in list(meetings):
        sql.execute(
            sa.text(
                "INSERT INTO child_case (child, created_at, created_by_id) "
                "VALUES (:child, :created_at, :chair_id)"
            ),
            {"child": child, "created_at": created_at, "chair_id": chair_id},
        )
        case_id = sql.execute(
            sa.text("SELECT MAX(id) FROM child_case WHERE created_by_id = :chair_id"),
            {"chair_id": chair_id},
        ).scalar()
        sql.execute(
            sa.text("UPDATE meeting SET case_id = :case_id WHERE id = :meeting_id"),
            {"case_id": case_id, "meeting_id": meeting_id},
        )


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meeting_previous_id_meeting"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_meeting_case_id_child_case"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_meeting_previous_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_case_id"))
        batch_op.drop_column("previous_id")
        batch_op.drop_column("case_id")

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_item_previous_item_id_item"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_item_previous_item_id"))
        batch_op.drop_column("previous_item_id")

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_column("forecast")

    with op.batch_alter_table("forecast_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forecast_outcome_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_forecast_outcome_decision_id"))

    op.drop_table("forecast_outcome")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_update_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_action_update_action_id"))

    op.drop_table("action_update")
    with op.batch_alter_table("review_trigger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_trigger_case_id"))
        batch_op.drop_index(batch_op.f("ix_review_trigger_answered_by_id"))

    op.drop_table("review_trigger")
    with op.batch_alter_table("chronology_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chronology_entry_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_chronology_entry_case_id"))

    op.drop_table("chronology_entry")
    with op.batch_alter_table("child_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_case_created_by_id"))

    op.drop_table("child_case")
