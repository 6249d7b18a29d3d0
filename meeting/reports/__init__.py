"""Agencies' reports before a meeting: expected, received, shared with the parents, and any
part withheld from the family, which only the chair sees."""
