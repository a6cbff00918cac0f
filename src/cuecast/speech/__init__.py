"""Speech clips: synthesized by an engine (:mod:`cuecast.engines`), levelled, cached."""
