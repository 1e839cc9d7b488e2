"""The electronic batch record: one model, exported as JSON and rendered as PDF."""
