"""Alembic's environment: the application's engine and the record's metadata.

Run through Flask-Migrate (`flask --app meeting db upgrade`) or by `database.prepare`
when a server starts; either way inside the application's context.
"""

from alembic import context
from flask import current_app

from meeting.models import Base

engine = current_app.extensions["migrate"].db.engine
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters a table by copying it; batch mode writes migrations that way.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
