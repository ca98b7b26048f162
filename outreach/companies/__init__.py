"""Employers: their profile, compliance figures, the company list and exports."""
