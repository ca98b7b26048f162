"""What every feature stands on: database helpers, clock, audit, errors, scoping and permissions,
sign-in guards, i18n and formatting.
"""
