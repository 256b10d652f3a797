"""edukoppel.sync."""
