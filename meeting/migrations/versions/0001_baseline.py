"""The schema of the release before migrations: the baseline every later one builds on.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair")),
        sa.UniqueConstraint("email", name=op.f("uq_chair_email")),
    )
    op.create_table(
        "setup_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_code")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "cp_conference",
                "strategy",
                "prt_review",
                "placement_review",
                "other",
                name="meetingkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("child", sa.String(length=120), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("join_code", sa.String(length=12), nullable=False),
        sa.Column("display_token", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "setup",
                "running",
                "closed",
                name="meetingstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("current_item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("inquorate_reason", sa.Text(), nullable=False),
        sa.Column("minutes_summary", sa.Text(), nullable=False),
        sa.Column("minutes_undecided_reason", sa.Text(), nullable=False),
        sa.Column("minutes_withheld", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["chair_id"], ["chair.id"], name=op.f("fk_meeting_chair_id_chair")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("display_token", name=op.f("uq_meeting_display_token")),
        sa.UniqueConstraint("join_code", name=op.f("uq_meeting_join_code")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_chair_id"), ["chair_id"], unique=False)

    op.create_table(
        "attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "admitted",
                "turned_away",
                "absent",
                name="attendeestatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("observer", sa.Boolean(), nullable=False),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("admitted_at", sa.DateTime(), nullable=True),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.Column("reader_token", sa.String(length=64), nullable=True),
        sa.Column(
            "copy_group",
            sa.Enum(
                "family",
                "professionals",
                name="copygroup",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_attendee_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendee")),
        sa.UniqueConstraint("reader_token", name=op.f("uq_attendee_reader_token")),
    )
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendee_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_event_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "scale",
            sa.Enum(
                "safety",
                "lxs",
                "choice",
                name="scale",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.CheckConstraint("position >= 1", name=op.f("ck_item_position")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_item_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "minutes_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("edition", sa.JSON(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("circulated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_minutes_version_number")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_minutes_version_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_version")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_minutes_version_meeting_id")),
    )
    with op.batch_alter_table("minutes_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_version_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_action_item_id_item")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_action_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["attendee.id"], name=op.f("fk_action_owner_id_attendee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("likelihood", sa.Integer(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "likelihood IS NULL OR likelihood BETWEEN 1 AND 5",
            name=op.f("ck_contribution_likelihood"),
        ),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 0 AND 10", name=op.f("ck_contribution_score")
        ),
        sa.CheckConstraint(
            "severity IS NULL OR severity BETWEEN 1 AND 5", name=op.f("ck_contribution_severity")
        ),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_contribution_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_contribution_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
        sa.UniqueConstraint("item_id", "attendee_id", name=op.f("uq_contribution_item_id")),
    )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contribution_item_id"), ["item_id"], unique=False)

    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("against_version", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="correctionstatus",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("in_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_correction_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_correction_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_correction_attendee_id"), ["attendee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_correction_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "recorded",
                name="decisionstatus",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("benefits", sa.Text(), nullable=False),
        sa.Column("cost_of_restriction", sa.Text(), nullable=False),
        sa.Column("least_restrictive", sa.Text(), nullable=False),
        sa.Column("child_views", sa.Text(), nullable=False),
        sa.Column("child_views_missing", sa.Text(), nullable=False),
        sa.Column("legal_bases", sa.JSON(), nullable=False),
        sa.Column("legal_note", sa.Text(), nullable=False),
        sa.Column("protective_action", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("review_triggers", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("version >= 0", name=op.f("ck_decision_version")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_decision_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("item_id", name=op.f("uq_decision_item_id")),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "copy_group",
            sa.Enum(
                "family",
                "professionals",
                name="copygroup",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("copy_digest", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "pending",
                "sent",
                "outbox",
                "refused",
                "failed",
                name="deliveryresult",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_delivery_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["minutes_version.id"],
            name=op.f("fk_delivery_version_id_minutes_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attendee_id"), ["attendee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_version_id"), ["version_id"], unique=False)

    op.create_table(
        "round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("revealed_at", sa.DateTime(), nullable=True),
        sa.Column("expected_ids", sa.JSON(), nullable=True),
        sa.Column(
            "basis",
            sa.Enum(
                "inherent",
                "residual",
                name="basis",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column("controls", sa.Text(), nullable=False),
        sa.Column("divergence_acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("divergence_note", sa.Text(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_round_number")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_round_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round")),
        sa.UniqueConstraint("item_id", "number", name=op.f("uq_round_item_id")),
    )
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_item_id"), ["item_id"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("likelihood", sa.Integer(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("first_submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("written", sa.Boolean(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "likelihood IS NULL OR likelihood BETWEEN 1 AND 5", name=op.f("ck_rating_likelihood")
        ),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name=op.f("ck_rating_score")),
        sa.CheckConstraint(
            "severity IS NULL OR severity BETWEEN 1 AND 5", name=op.f("ck_rating_severity")
        ),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_rating_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], name=op.f("fk_rating_round_id_round")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint("round_id", "attendee_id", name=op.f("uq_rating_round_id")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_attendee_id"), ["attendee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_round_id"), ["round_id"], unique=False)

    op.create_table(
        "view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_chair", sa.Boolean(), nullable=False),
        sa.Column("decision_version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("considered", sa.Text(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("escalate_to", sa.String(length=200), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_view_attendee_id_attendee")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_view_decision_id_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view")),
        sa.UniqueConstraint("decision_id", "attendee_id", name=op.f("uq_view_decision_id")),
    )
    with op.batch_alter_table("view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_attendee_id"), ["attendee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_view_decision_id"), ["decision_id"], unique=False)


def downgrade():
    with op.batch_alter_table("view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_decision_id"))
        batch_op.drop_index(batch_op.f("ix_view_attendee_id"))

    op.drop_table("view")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_round_id"))
        batch_op.drop_index(batch_op.f("ix_rating_attendee_id"))

    op.drop_table("rating")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_item_id"))

    op.drop_table("round")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_version_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attendee_id"))

    op.drop_table("delivery")
    op.drop_table("decision")
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_correction_attendee_id"))

    op.drop_table("correction")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_item_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_attendee_id"))

    op.drop_table("contribution")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_owner_id"))
        batch_op.drop_index(batch_op.f("ix_action_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_action_item_id"))

    op.drop_table("action")
    with op.batch_alter_table("minutes_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_version_meeting_id"))

    op.drop_table("minutes_version")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_meeting_id"))

    op.drop_table("item")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_meeting_id"))

    op.drop_table("event")
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendee_meeting_id"))

    op.drop_table("attendee")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_chair_id"))

    op.drop_table("meeting")
    op.drop_table("setup_code")
    op.drop_table("chair")
