"""A meeting from set-up to close: its details, its agenda, and moving through it."""
