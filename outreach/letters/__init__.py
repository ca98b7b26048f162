"""Letters: sandboxed templates, PDF rendering with WeasyPrint, numbering.

Nothing here touches the request or commits; `outreach.services.letters` uses these pieces.
"""
