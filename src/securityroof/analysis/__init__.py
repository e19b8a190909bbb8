"""Security Roof layer: see DESIGN.md."""
