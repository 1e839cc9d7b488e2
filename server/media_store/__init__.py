"""Content-addressed store of photos, snapshots and recordings, and their links to batch steps."""
