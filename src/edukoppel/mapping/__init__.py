"""edukoppel.mapping."""
