"""Actions: who does what by when."""
