"""Who was there: present, left, apologies, written contributions, and quorum."""
