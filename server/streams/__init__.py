"""Live video of a batch: WHIP publishing, WHEP watching, the list of live streams."""
