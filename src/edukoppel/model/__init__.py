"""edukoppel.model."""
