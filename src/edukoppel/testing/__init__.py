"""edukoppel.testing."""
