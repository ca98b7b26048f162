"""Notifications stored for a user: shown in the app, mailed when SMTP is set."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    pass


class Notification(db.Model):
    """A message to a user: always shown in the app, also mailed when SMTP is configured."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: digest (an officer's morning list) or weekly (a supervisor's summary)
    kind: Mapped[str] = mapped_column(String(20))
    #: one notification per user, kind and day
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: mail delivery: sent time, attempts so far, last error
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
