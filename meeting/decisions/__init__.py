"""Deciding an item: the defensible decision, each rater's view on it, and consensus."""
