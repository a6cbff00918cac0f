"""The listening check: a session transcribed offline and compared with its script."""
