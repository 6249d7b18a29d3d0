"""Retention: closed meetings kept for a deployment's period, then exported and purged.

Nothing is deleted by the server itself: `flask --app meeting purge` does it, with an age
given to it or set as MEETING_KEEP_CLOSED_DAYS, and only to closed meetings.
"""
