"""The audio machinery: the session's sample format, ffmpeg, levelling and loudness, chimes
and the bed, stitching, tags and captions."""
