"""Company lists from BPJS, the city and Disnaker: read, mapped, cleaned, matched, planned and
applied.
"""
