"""Logic that is neither a handler nor SQL."""
