"""Chair accounts: the first-run set-up, logging in and out, and the create-chair command."""
