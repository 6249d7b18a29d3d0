"""Backing the database up and restoring it: `flask --app meeting backup` and `restore`.

A backup is one file, consistent at one moment, taken while meetings go on: SQLite's own
backup of the live database, or PostgreSQL's `pg_dump`. Only the server's user can read it.
"""
