"""The dashboard, the branch comparison, the monthly report and the review of non-compliant
companies.
"""
