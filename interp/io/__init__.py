"""Files in and out: images, atomic writes, video decoding and GIF / MP4 encoding."""
