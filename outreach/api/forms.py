"""The admins' form for a new API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.api.models import Scope

SCOPE_LABELS = {
    Scope.READ: _l("read: companies, cases and letters"),
    Scope.WRITE: _l("write: send registrations"),
    Scope.SANCTIONS: _l("sanctions: look up TMP2T recommendations"),
}


class TokenForm(FlaskForm):
    """A token for a partner system: its name, reach, scopes and expiry."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("e.g. dpmptsp-kota-pekalongan"))
    branch = SelectField(_l("Branch"), coerce=int)
    region = SelectField(_l("Region"), coerce=int,
                         description=_l("Choose a branch or a region, not both."))
    scopes = SelectMultipleField(_l("Scopes"), choices=list(SCOPE_LABELS.items()),
                                 option_widget=CheckboxInput(), widget=ListWidget(
                                     prefix_label=False))
    expires_on = DateField(_l("Expires after"), validators=[Optional()])
