"""Users, passwords, bearer tokens and roles."""
