"""Reminders and the task list officers start their day with."""
