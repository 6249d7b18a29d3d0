"""The live meeting's screens: an attendee's phone, the shared display, and their sockets."""
