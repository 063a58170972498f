"""Picture variants for the web: decoding, orientation, EXIF removal, resizing, encoding."""
