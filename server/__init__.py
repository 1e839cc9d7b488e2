"""Stepwise server: REST + WebSocket API over the batch record."""
