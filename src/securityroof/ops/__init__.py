"""Operating together: the service, its accounts, decisions, exercises and the audit log."""
