"""What a branch sets for work in the field."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db

#: a position less accurate than this (metres) is kept on its visit with a warning and is not
#: made the company's location, unless the branch sets another limit
DEFAULT_ACCURACY_LIMIT_M = 100


class FieldSettings(db.Model):
    """A branch's settings for work in the field (no row: the defaults)."""

    __tablename__ = "field_settings"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), primary_key=True)
    #: the largest accuracy radius (metres) of a position that may become a company's location
    accuracy_limit_m: Mapped[int] = mapped_column(default=DEFAULT_ACCURACY_LIMIT_M)
