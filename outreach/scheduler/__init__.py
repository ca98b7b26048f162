"""The scheduler process: the morning sweep, mail and monthly reports, one process at a time."""
