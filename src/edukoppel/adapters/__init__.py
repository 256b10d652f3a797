"""edukoppel.adapters."""
