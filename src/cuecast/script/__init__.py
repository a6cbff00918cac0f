"""The script: routines and options, and the compiler that lays out every line, breath
prompt, count and chime at an exact time (pure: no audio, no files but the routine's)."""
