"""Making sessions: the script previewed, the MP3 rendered, routines composed, imported,
listed and saved."""
