"""Experts' drawings on the live video, stored with the batch and pushed to the operator."""
