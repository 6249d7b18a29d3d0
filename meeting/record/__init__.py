"""The record for later: the event log, and the whole meeting as plain data."""
