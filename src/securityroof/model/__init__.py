"""Domain objects and their validation: missiles, vehicles, Earth options, catalog loading."""
