"""The chair's letter to the young person, after the minutes: drafted, edited, sent, kept."""
