"""The minutes after the meeting: the draft, frozen versions, copies, mail and corrections."""
