"""Live video relay: one publisher's encoded frames forwarded to many viewers, never re-encoded."""
