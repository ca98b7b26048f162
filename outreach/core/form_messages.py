"""WTForms' own messages in the app's languages.

WTForms ships no Indonesian catalog (Flask-WTF's `WTF_I18N_ENABLED` only finds the languages
WTForms has), so its messages ("This field is required.", "Number must be between 0 and 120.")
are msgids of our own catalog, marked here for extraction, and each request hands WTForms the
app's translations through the attribute Flask-WTF reads them from.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_translations


def gettext(message: str) -> str:
    """Mark a WTForms message for extraction (WTForms translates it when it validates)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> tuple[str, str]:
    """Mark a WTForms plural message for extraction."""
    del n
    return singular, plural


#: the WTForms and Flask-WTF messages our forms can show, exactly as those libraries word them
MESSAGES = (
    gettext("This field is required."),
    gettext("Invalid input."),
    gettext("Invalid email address."),
    gettext("Not a valid choice."),
    gettext("Not a valid date value."),
    gettext("Not a valid datetime value."),
    gettext("Not a valid time value."),
    gettext("Not a valid integer value."),
    gettext("Not a valid decimal value."),
    gettext("Not a valid float value."),
    gettext("Number must be at least %(min)s."),
    gettext("Number must be at most %(max)s."),
    gettext("Number must be between %(min)s and %(max)s."),
    gettext("Field must be between %(min)d and %(max)d characters long."),
    gettext("Field must be equal to %(other_name)s."),
    gettext("Invalid value, must be one of: %(values)s."),
    gettext("Invalid Choice: could not coerce."),
    gettext("Invalid choice(s): one or more data inputs could not be coerced."),
    gettext("Invalid CSRF Token."),
    gettext("CSRF token missing."),
    gettext("CSRF failed."),
    gettext("CSRF token expired."),
    gettext("File does not have an approved extension."),
    gettext("File does not have an approved extension: {extensions}"),
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1),
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1),
    ngettext("Field must be exactly %(max)d character long.",
             "Field must be exactly %(max)d characters long.", 1),
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 1),
)


def _hand_translations_to_wtforms() -> None:
    # Flask-WTF caches the catalog it found for WTForms on the request (flask_wtf.i18n):
    # giving it ours makes every form's messages speak the user's language.
    request.wtforms_translations = get_translations()


def init_app(app: Flask) -> None:
    """Give WTForms the app's catalog on every request."""
    app.before_request(_hand_translations_to_wtforms)
