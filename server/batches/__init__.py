"""Batches: the executed record of one procedure version."""
