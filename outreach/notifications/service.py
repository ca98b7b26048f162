"""Notifications: the officers' morning digest and the supervisors' weekly summary.

Every notification is stored and shown in the app; when SMTP is configured a separate job mails
the unsent ones (plain text and HTML), retrying later on failure, so mail never blocks a sweep.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from datetime import date, datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from markupsafe import Markup
from sqlalchemy import func, select, update

from outreach.cases.models import Approval, Case, Step
from outreach.extensions import db
from outreach.notifications.mail import render_message
from outreach.notifications.models import Notification
from outreach.org.models import Role, User
from outreach.reports.dashboard import Scope, overdue_by_officer
from outreach.tasks import service as reminders

MAX_ATTEMPTS = 5
#: tasks a digest lists per group (overdue, today); it counts the others
DIGEST_LIMIT = 25


def _exists(key: str) -> bool:
    return db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) \
        is not None


def notify(user: User, kind: str, key: str, template: str, **context) -> None:
    """Store a notification for `user`, rendered in their language from the templates
    `template` + ".subject.txt", ".txt" and ".html" (the caller made sure `key` is new); the
    mail job sends it."""
    subject, text, html = render_message(template, user, **context)
    db.session.add(Notification(user_id=user.id, kind=kind, dedupe_key=key, subject=subject,
                                body_text=text, body_html=html))


def build_digests(day: date, base_url: str) -> int:
    """One morning digest for every officer with tasks today; returns how many were made.

    A digest lists the oldest DIGEST_LIMIT tasks of each group and counts the rest: the task
    page has them all."""
    made = 0
    users = db.session.scalars(select(User).where(User.active,
                                                  User.role.in_(Role.BRANCH_ROLES)))
    for user in users:
        key = f"digest:{user.id}:{day.isoformat()}"
        if _exists(key):
            continue
        counts = reminders.task_counts(user, day)
        if not any(counts.values()):
            continue
        notify(user, "digest", key, "notifications/digest", day=day, counts=counts,
               groups=reminders.tasks(user, day, limit=DIGEST_LIMIT), base_url=base_url)
        made += 1
    return made


def build_weekly(day: date, base_url: str) -> int:
    """One weekly summary for every supervisor: overdue cases by officer, approvals waiting."""
    made = 0
    year, week, _ = day.isocalendar()
    supervisors = db.session.scalars(select(User).where(User.active,
                                                        User.role == Role.SUPERVISOR))
    for user in supervisors:
        key = f"weekly:{user.id}:{year}-{week}"
        if _exists(key):
            continue
        late = overdue_by_officer(Scope.branch(user.branch_id).condition, day)
        waiting = db.session.scalar(
            select(func.count(Step.id)).join(Case).where(
                Case.branch_id == user.branch_id, Step.approval_status == Approval.REQUESTED))
        notify(user, "weekly", key, "notifications/weekly", day=day,
               overdue=sorted(((name, n) for _id, name, n in late), key=lambda row: -row[1]),
               waiting=waiting or 0, base_url=base_url)
        made += 1
    return made


def _smtp_settings(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("SMTP_URL must start with smtp:// or smtps://")
    return {"host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "tls": parts.scheme == "smtps", "user": unquote(parts.username or ""),
            "password": unquote(parts.password or "")}


def send_pending(smtp_url: str | None, sender: str, now: datetime) -> tuple[int, int]:
    """Mail the notifications not yet sent; returns (sent, failed). Without SMTP, nothing."""
    if not smtp_url:
        return 0, 0
    settings = _smtp_settings(smtp_url)
    pending = db.session.execute(
        select(Notification, User.email).join(User, User.id == Notification.user_id)
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id)).all()
    sent = failed = 0
    for notification, email in pending:
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = sender
        message["To"] = email
        message.set_content(notification.body_text)
        message.add_alternative(notification.body_html, subtype="html")
        try:
            _deliver(settings, message)
        except (OSError, smtplib.SMTPException) as error:
            notification.attempts += 1
            notification.last_error = str(error)[:500]
            failed += 1
        else:
            notification.attempts += 1
            notification.sent_at = now
            sent += 1
    return sent, failed


def _deliver(settings: dict, message: EmailMessage) -> None:
    smtp_class = smtplib.SMTP_SSL if settings["tls"] else smtplib.SMTP
    kwargs = {"context": ssl.create_default_context()} if settings["tls"] else {}
    with smtp_class(settings["host"], settings["port"], timeout=20, **kwargs) as smtp:
        if settings["user"]:
            smtp.login(settings["user"], settings["password"])
        smtp.send_message(message)


def unread(user: User, limit: int = 50) -> list[Notification]:
    """The user's notifications, newest first."""
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.created_at.desc()).limit(limit)))


def unread_count(user: User) -> int:
    """How many of the user's notifications are not read yet (the inbox badge)."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def own_notification(user: User, notification_id: int) -> Notification | None:
    """One of the user's own notifications (nobody reads another's), or None."""
    return db.session.scalars(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id)).first()


def mark_read(notification: Notification, now: datetime) -> None:
    """The user opened the notification: it no longer counts on the badge. (A read receipt on
    one's own message, not a change to a record: no audit event.)"""
    if notification.read_at is None:
        db.session.execute(update(Notification).where(Notification.id == notification.id,
                                                      Notification.read_at.is_(None))
                           .values(read_at=now).execution_options(synchronize_session=False))
        notification.read_at = now


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def page_html(notification: Notification, base_url: str) -> Markup:
    """The mail's HTML as part of an app page: the inside of its <body> (rendered from the
    app's own autoescaped templates), its links to the app's public address made relative, so
    they open on whatever address the app is read at."""
    found = _BODY.search(notification.body_html)
    inner = found.group(1) if found else notification.body_html
    base = base_url.rstrip("/")
    if base:
        inner = inner.replace(f'href="{base}/', 'href="/')
    return Markup(inner)  # noqa: S704 -- rendered by our templates, every value escaped
