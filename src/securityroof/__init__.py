"""Security Roof: an open, physics-based platform for a jointly run missile defence."""

__version__ = "0.1.0"
