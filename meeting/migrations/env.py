"""Alembic's environment: the application's engine and the record's metadata.

Run through Flask-Migrate (`flask --app meeting db upgrade`) or by `database.prepare`
when a server starts; either way inside the application's context.
"""

from alembic import context
from flask import current_app

from meeting.models import Base

engine = current_app.extensions["migrate"].db.engine
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite alters a table by copying it and dropping the old one, which the foreign
        # keys of other tables would refuse; they are checked again after (foreign_key_check).
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters a table by copying it; batch mode writes migrations that way.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.commit()
        if broken:
            raise RuntimeError(
                f"The migration left rows whose foreign keys point nowhere: {broken}"
            )
