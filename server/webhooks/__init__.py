"""Outgoing webhooks: subscriptions, delivery of committed batch events, the delivery log."""
