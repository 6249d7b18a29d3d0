"""People coming in: join codes, asking to join, and the chair admitting or turning away."""
