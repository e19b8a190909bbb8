"""Catalog data files (TOML); every number carries its source."""
