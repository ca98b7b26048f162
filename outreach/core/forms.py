"""Form pieces every feature uses: checkbox lists and the bare form of a button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectMultipleField,
)
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SimpleForm(FlaskForm):
    """A form with only its CSRF token and the case version (resume, reopen)."""

    version = HiddenField()
