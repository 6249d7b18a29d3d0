"""The minutes of a finished meeting, made from a plain record; knows nothing of Flask."""
