"""Ingestion: reading sources, chunking them and keeping the index up to date (its own program)."""
