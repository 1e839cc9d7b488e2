"""A reference headset/phone client: steps, scans, photos, video and annotations, offline-safe."""
