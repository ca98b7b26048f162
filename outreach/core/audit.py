"""The audit trail: who changed what, when, from what to what; and who read personal data or
took a list or a file out of the app (the data-access log, UU 27/2022 on personal data
protection: the controller records its processing, art. 31)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, insert, or_
from sqlalchemy.orm import Mapped, mapped_column

from outreach.core.db import utcnow
from outreach.extensions import db
from outreach.org.models import User


class AuditEvent(db.Model):
    """One recorded change."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    #: "company", "case", "step", "letter", "user", "branch" …
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None]
    #: what happened, e.g. "create", "update", "step.logged"
    action: Mapped[str] = mapped_column(String(40))
    #: {"field": [before, after]} for updates; the new values for creations. A plain list is
    #: kept only under a key of `core.labels.LIST_CHANGES`: any other list of two is read as
    #: a change (`core.formatting.audit_changes`)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


#: the actions of the data-access log: personal data read ("view."), a list exported
#: ("export."), a stored file or printed document downloaded ("download.")
ACCESS_PREFIXES = ("view.", "export.", "download.")


def is_access(action_column: Any) -> Any:
    """SQL condition: the event is one of the data-access log's."""
    return or_(*(action_column.like(f"{prefix}%") for prefix in ACCESS_PREFIXES))


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record(
    user: User | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    changes: dict[str, Any] | None = None,
    branch_id: int | None = None,
) -> AuditEvent:
    """Add an audit event for a change made by `user`."""
    event = AuditEvent(**_event_values(user, action, entity_type, entity_id, changes,
                                       branch_id))
    db.session.add(event)
    return event


def record_access(user: User | None, action: str, entity_type: str, entity_id: int | None,
                  details: dict[str, Any] | None = None, branch_id: int | None = None) -> None:
    """Write an event of the data-access log (`ACCESS_PREFIXES`) in the session's transaction
    with one INSERT: no object, no flush, no id read back; the caller commits it.

    A page that reads personal data writes one on every view, so it costs one statement: the
    session's objects stay as they are (nothing to flush, nothing expired until the commit)."""
    db.session.execute(insert(AuditEvent).values(
        at=utcnow(), **_event_values(user, action, entity_type, entity_id, details, branch_id)))


def _event_values(user: User | None, action: str, entity_type: str, entity_id: int | None,
                  changes: dict[str, Any] | None, branch_id: int | None) -> dict[str, Any]:
    return {
        "user_id": user.id if user is not None else None, "branch_id": branch_id,
        "entity_type": entity_type, "entity_id": entity_id, "action": action,
        "changes": {key: _plain(value) if not isinstance(value, list | tuple) else
                    [_plain(v) for v in value] for key, value in (changes or {}).items()},
    }


def diff(record_obj: Any, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply `new_values` to the object and return {field: [before, after]} for what changed."""
    changes: dict[str, list[Any]] = {}
    for key, value in new_values.items():
        before = getattr(record_obj, key)
        if before != value:
            changes[key] = [before, value]
            setattr(record_obj, key, value)
    return changes


def keep_branch_setting(actor: Any, model: Any, branch_id: int, column: str, value: Any, *,
                        before_default: Any, action: str) -> None:
    """Keep one of a branch's settings in its row of `model` (keyed by `branch_id`, made on
    first use) and audit the change; the caller has checked the actor's permission."""
    row = db.session.get(model, branch_id)
    before = getattr(row, column) if row is not None else before_default
    if row is None:
        row = model(branch_id=branch_id)
        db.session.add(row)
    setattr(row, column, value)
    db.session.flush()
    record(actor, action, "branch", branch_id, {column: [before, value]}, branch_id=branch_id)
