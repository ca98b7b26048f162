"""A notification's text: its subject, plain text and HTML from the templates of
`templates/notifications/` (or another feature's mail templates), in the user's language.

The notifications service renders through `render_message` only, so that no service reaches
for Flask's template machinery itself.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale

from outreach.org.models import User


def render_message(template: str, user: User, **context: Any) -> tuple[str, str, str]:
    """(subject, text, html) of `template` + ".subject.txt", ".txt" and ".html"."""
    with force_locale(user.locale or "id"):
        subject = render_template(f"{template}.subject.txt", user=user, **context).strip()
        text = render_template(f"{template}.txt", user=user, **context)
        html = render_template(f"{template}.html", user=user, **context)
    return subject, text, html
