"""Regions, branches and accounts; signing in; the admin pages."""
