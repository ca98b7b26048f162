"""Names vulture cannot see used: read by templates, libraries or the database.

`make lint` runs vulture over outreach/ and bench/ with this file; models are left out (their
columns are read by templates, migrations and SQL). Each entry says who uses the name.
"""

# ruff: noqa
_ = object()

# columns set by services, read by templates and exports
_.updated_at, _.delivery_method, _.delivery_reference, _.delivery_recipient
_.approval_by_id, _.closing_evidence, _.closing_npp, _.recorded_at, _.dismissed_by_id
_.dismissed_at, _.issued_by_id, _.last_error, _.generated_by_id, _.generated_at, _.done_at
# who withdrew a letter and who decided a close, kept for the record (audit, backups)
_.voided_by_id, _.decided_by_id, _.decided_at
# a visit's position and a company's location, set by fieldwork.service, read by templates
_.position_accuracy_m, _.located_on, _.location_source
# a phone number's tel: link, read by templates (fieldwork/_contact.html)
_.tel_url
# the day an inspection report was submitted, shown on the inspection page
_.submitted_on
# openpyxl's worksheet and cell settings (exports)
_.freeze_panes, _.font, _.number_format
# Flask-Login's settings and SQLAlchemy's declarative base
_.login_view, _.login_message, _.login_message_category, _.session_protection, _._login_user
_.metadata
# WTForms widgets of the checkbox list
_.widget, _.option_widget
# WeasyPrint calls a url fetcher's fetch()
_.fetch
# dataclass fields read by templates (dashboard, comparison, review, monthly report)
_.category_totals, _.complied_before_steps, _.older, _.letter_number, _.days_open
_.overdue_days, _.last_step_on, _.addressee, _.withdrawn_on
# the sweep's result, read by the CLI, the job run record and the tests
_.reminders_created, _.letters_drafted, _.cases_overdue, _.renewals_created
# Flask's hooks registered by decorators on the blueprint
_.importers_only, _.import_labels
# tests read PDFs with it; the benchmark keeps the other two in its JSON results
_.pdf_text, _.company_steps_mean, _.load_after
# the models' mixin (models are not scanned)
_.TimestampMixin
# the Python twin of the sweep's SQL condition (ladder.rules.action_due_sql), held equal to it by
# tests/ladder/test_rules_agree.py
_.action_due
# a month's amounts per program, read by the ledger page
_.by_program
# a per-request limit read by Werkzeug when it parses the body (the letter check)
_.max_content_length
# when two-factor sign-in was switched on: read by `User.two_factor` and the account page
_.totp_enabled_at
# the catalog Flask-WTF reads for WTForms' messages (core.form_messages)
_.wtforms_translations
# cache headers of versioned static files, read by browsers (core.compression)
_.no_cache, _.max_age, _.immutable
# who judged a commitment and when, shown in the dossier and kept for the audit
_.judged_by_id
_.judged_on
# socialisation: who set a target (kept for the record), the coverage by city read by its
# page, and the Python side of the reach rule, held equal to its SQL by a test
_.set_by_id, _.by_area, _.step_reaches
# API tokens: who revoked one and its last use, kept for the record and shown on the admin page;
# flask-smorest's hooks, overridden (the fields of api/schemas.py are the document, like columns)
_.revoked_by_id, _.last_used_at
_._register_error_handlers, _._register_responses
# locust finds the load test's user class in the locustfile and reads its wait_time,
# on_start and @task methods
_.Officer, _.wait_time, _.on_start, _.task_page
# http.cookiejar reads a cookie's secure flag, requests a session's cookie jar
_.secure, _.cookies
# the periodic task Huey's consumer queues each minute (queue.worker)
_.lost_jobs_task
# the dashboard page reads the rows of its gap tables it shows one by one
_.gap_table
