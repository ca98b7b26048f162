"""The dashboard, the branch comparison, the monthly report and the review of non-compliant
companies.

Importing the package keeps the dashboard's summary rows current in every session's flushes
(`outreach.reports.summary`).
"""

from outreach.reports import summary

summary.install()
