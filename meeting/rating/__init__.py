"""Blind rating: the scales, rounds, the reveal, and what each viewer may see of them."""
