"""Database access: declarative base, engines, sessions and migrations."""
