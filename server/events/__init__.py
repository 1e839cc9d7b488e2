"""Real-time events: staged inside a transaction, delivered only once it commits."""
