"""edukoppel.readers."""
