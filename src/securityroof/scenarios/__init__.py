"""Built-in scenarios (TOML), such as the default one `roof assess` runs."""
