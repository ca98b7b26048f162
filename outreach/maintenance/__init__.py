"""Backups and demo data."""
