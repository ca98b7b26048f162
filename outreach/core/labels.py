"""What users read for each code stored in the database, in their language."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

ROLES = {
    "officer": _l("Officer"),
    "supervisor": _l("Supervisor"),
    "regional": _l("Regional staff"),
    "admin": _l("Administrator"),
}

CATEGORIES = {
    "PWBD": _l("PWBD – not registered"),
    "PDS-TK": _l("PDS-TK – some workers not registered"),
    "PDS-Upah": _l("PDS-Upah – wages under-reported"),
    "PDS-Program": _l("PDS-Program – programs missing"),
    "Menunggak": _l("Arrears"),
}

CASE_STATUSES = {
    "open": _l("Open"),
    "paused": _l("Paused"),
    "closed": _l("Closed"),
}

BUSINESS_SIZES = {
    "micro": _l("Micro"),
    "small": _l("Small"),
    "medium": _l("Medium"),
    "large": _l("Large"),
}

SOURCES = {
    "bpjs": _l("BPJS Ketenagakerjaan records"),
    "pemkot": _l("City business permits"),
    "disnaker": _l("Labour office reports"),
    "manual": _l("Entered by hand"),
    "inspection": _l("Inspection report"),
}

RUNGS = {
    "notification": _l("Notification letter"),
    "visit": _l("Visit"),
    "phone_call": _l("Phone call"),
    "summons": _l("Summons"),
    "joint_visit": _l("Joint visit (Disnaker/Kejari)"),
    "warning_1": _l("Written Warning I"),
    "warning_2": _l("Written Warning II"),
    "fine": _l("Fine"),
    "tmp2t": _l("TMP2T recommendation"),
    "legal_referral": _l("Legal referral (SKK to Kejari)"),
}

OUTCOMES = {
    "promised": _l("Promised to register"),
    "refused": _l("Refused"),
    "disputed": _l("Disputed"),
    "unreachable": _l("Unreachable"),
    "partial": _l("Partly registered"),
    "registered": _l("Registered"),
    "no_response": _l("No response"),
}

# Each enumeration below is the one list of its codes: the forms offer them, the services
# accept them and the pages show them by these labels.
PAUSE_REASONS = {
    "dispute": _l("Dispute"),
    "company_closed": _l("Company closed"),
    "court": _l("In court"),
}

CLOSE_OUTCOMES = {
    "compliant": _l("Compliant (registered)"),
    "company_closed": _l("Company closed"),
    "withdrawn": _l("Withdrawn"),
}

APPROVALS = {
    "requested": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "returned": _l("Sent back"),
    "withdrawn": _l("Withdrawn (case closed)"),
}

DELIVERIES = {
    "unsent": _l("Letter not issued yet"),
    "pending": _l("Not yet delivered"),
    "delivered": _l("Delivered"),
    "returned": _l("Returned"),
    "withdrawn": _l("Letter withdrawn"),
}

DELIVERY_METHODS = {
    "receipt": _l("Receipt (tanda terima)"),
    "courier": _l("Courier with tracking number"),
    "hand": _l("By hand"),
}

LETTER_STATUSES = {
    "draft": _l("Draft"),
    "issued": _l("Issued"),
    "void": _l("Letter withdrawn"),
}

#: the scheduler's jobs (`scheduler.service`'s job ids)
JOBS = {
    "morning_sweep": _l("Morning sweep"),
    "send_notifications": _l("Sending mail"),
    "monthly_reports": _l("Monthly reports"),
    "summary_check": _l("Dashboard summary check"),
}

#: the kinds of the job queue's jobs (`queue.work.KINDS`)
QUEUE_JOBS = {
    "issue_drafts": _l("Issuing the ready drafts"),
    "letter_batch": _l("Print batch"),
    "letter_batch_part": _l("Part of a print batch"),
    "import_apply": _l("Import"),
    "import_check": _l("Checking an import's list"),
    "company_export": _l("Company list export"),
    "monthly_report": _l("Monthly report"),
}

JOB_OUTCOMES = {
    "ok": _l("Succeeded"),
    "failed": _l("Failed"),
}

#: what a job run counts (the keys of its `counts`)
JOB_COUNTS = {
    "date": _l("Day"),
    "reminders_created": _l("Tasks created"),
    "renewals_created": _l("Sponsors told of coverage ending"),
    "letters_drafted": _l("Letters drafted"),
    "cases_overdue": _l("Cases newly overdue"),
    "digests": _l("Task digests"),
    "weekly": _l("Weekly summaries"),
    "sent": _l("Mails sent"),
    "failed": _l("Mails failed"),
    "period": _l("Month"),
    "reports": _l("Reports"),
    "branches": _l("Branches"),
}

SPONSOR_KINDS = {
    "city": _l("City or regency government (APBD)"),
    "csr": _l("Company CSR"),
    "other": _l("Other sponsor"),
}

#: the data-access log's actions (`core.audit.ACCESS_PREFIXES`)
ACCESS_ACTIONS = {
    "view.company": _l("Company details read"),
    "view.user": _l("Account details read"),
    "export.companies": _l("Company list exported"),
    "export.letter_batch": _l("Day's letters printed"),
    "export.dossier": _l("Case dossier downloaded"),
    "download.letter": _l("Letter downloaded"),
    "download.proof": _l("Proof downloaded"),
    "download.payment_proof": _l("Payment proof downloaded"),
    "download.monthly_report": _l("Monthly report downloaded"),
    "download.import_file": _l("Imported file downloaded"),
    "download.reply_attachment": _l("Employer's reply downloaded"),
    "download.joint_visit_attachment": _l("Partner's response downloaded"),
    "view.beneficiaries": _l("Sponsored workers' data read"),
    "view.beneficiary_list": _l("List of sponsored workers read"),
    "export.registration": _l("Registration file of sponsored workers exported"),
    "export.not_reached": _l("Companies not reached by socialisation exported"),
    "download.sign_in_sheet": _l("Socialisation sign-in sheet printed"),
    "download.event_material": _l("Socialisation material downloaded"),
    "download.job_result": _l("Letters issued in one job downloaded"),
}

#: what an audit event is about
ENTITIES = {
    "company": _l("company"),
    "company_list": _l("company list"),
    "user": _l("account"),
    "case": _l("case"),
    "step": _l("step"),
    "letter": _l("letter"),
    "branch": _l("branch"),
    "import": _l("import"),
    "sponsor": _l("sponsor"),
    "beneficiary_import": _l("list of sponsored workers"),
    "socialisation_event": _l("socialisation event"),
}

INSPECTION_STATUSES = {
    "assigned": _l("Inspectors assigned"),
    "recorded": _l("Inspection recorded"),
    "submitted": _l("Report waiting for approval"),
    "approved": _l("Report approved"),
    "returned": _l("Report sent back"),
}

#: what inspectors check on site (inspections.models.Checked)
CHECKS = {
    "worker_lists": _l("Worker lists"),
    "payroll": _l("Payroll"),
    "membership": _l("Membership of the programs"),
}

#: who changed a compliance figure (companies.models.FigureSource)
FIGURE_SOURCES = {
    "officer": _l("Officer"),
    "import": _l("Import"),
    "inspection": _l("Inspection"),
}

#: where a joint visit with a partner office stands (joint_visits.models.JointVisitStatus)
JOINT_VISIT_STATUSES = {
    "invited": _l("Invited, waiting for the response"),
    "accepted": _l("Accepted"),
    "other_date": _l("Another day agreed"),
    "declined": _l("Declined"),
    "visited": _l("Visited"),
    "withdrawn": _l("Invitation withdrawn"),
}

#: the legal track's entries after the referral (legal.models.LegalKind)
LEGAL_KINDS = {
    "power_of_attorney": _l("Special power of attorney (SKK)"),
    "acceptance": _l("Accepted by the prosecutor"),
    "summons": _l("Summons by the state lawyer"),
    "meeting": _l("Meeting with the state lawyer"),
    "agreement": _l("Instalment agreement"),
    "suit": _l("Small-claims suit"),
    "hearing": _l("Court hearing"),
    "outcome": _l("Outcome"),
}

#: how an employer's reply reached the branch (legal.models.Channel)
CHANNELS = {
    "letter": _l("Letter"),
    "email": _l("E-mail"),
    "whatsapp": _l("WhatsApp"),
    "in_person": _l("In person"),
}

#: a partner office's answer to an invitation (joint_visits.models.Response)
JOINT_VISIT_RESPONSES = {
    "accepted": _l("Accepted the proposed day"),
    "declined": _l("Declined"),
    "other_date": _l("Proposed another day"),
}

#: what a payment pays (money.models.PaymentKind)
PAYMENT_KINDS = {
    "contribution": _l("Contributions"),
    "fine": _l("Fine"),
}

#: the change history's actions (the `action` of `core.audit.record`) that concern a company,
#: its cases, steps, letters, payments, legal entries, inspections, joint visits and imports
AUDIT_ACTIONS = {
    "create": _l("Entered"),
    "update": _l("Details changed"),
    "company.transfer": _l("Moved to another branch"),
    "company.reassign": _l("Officer changed"),
    "company.location": _l("Location taken from a visit"),
    "payment.recorded": _l("Payment recorded"),
    "import.create": _l("Entered from an import"),
    "import.update": _l("Changed by an import"),
    "import.upload": _l("Import file uploaded"),
    "import.refused": _l("Import file refused"),
    "import.run": _l("Import applied"),
    "import.discard": _l("Import discarded"),
    "case.open": _l("Case opened"),
    "case.pause": _l("Case paused"),
    "case.resume": _l("Case resumed"),
    "case.close_request": _l("Closing requested"),
    "case.close_approve": _l("Closing approved"),
    "case.close_return": _l("Closing request sent back"),
    "case.close": _l("Case closed"),
    "case.reopen": _l("Case reopened"),
    "case.directive": _l("Supervisor's instruction"),
    "case.verify_dismiss": _l("Suggestion to close dismissed"),
    "step.log": _l("Step recorded"),
    "step.delivery": _l("Delivery recorded"),
    "step.approve": _l("Step approved"),
    "step.return": _l("Step sent back"),
    "step.position": _l("Position of the visit recorded"),
    "step.whatsapp": _l("Sent by WhatsApp"),
    "reply.add": _l("Employer's reply recorded"),
    "commitment.add": _l("Commitment recorded"),
    "commitment.kept": _l("Commitment kept"),
    "commitment.broken": _l("Commitment broken"),
    "legal.add": _l("Legal track entry recorded"),
    "joint_visit.invite": _l("Partner office invited to a joint visit"),
    "joint_visit.respond": _l("Partner's response recorded"),
    "joint_visit.visit": _l("Joint visit recorded"),
    "letter.draft": _l("Letter drafted"),
    "letter.prepare": _l("Letter drafted by the morning sweep"),
    "letter.redraft": _l("Letter drafted again"),
    "letter.approve": _l("Letter approved"),
    "letter.issue": _l("Letter issued"),
    "letter.void": _l("Letter withdrawn"),
    "letter.withdraw": _l("Draft letter withdrawn"),
    "letter.transfer": _l("Draft letter moved to another branch"),
    "letter.meeting": _l("Meeting details entered"),
    "inspection.assign": _l("Inspectors assigned"),
    "inspection.record": _l("Inspection recorded"),
    "inspection.submit": _l("Inspection report submitted"),
    "inspection.return": _l("Report sent back"),
    "inspection.approve": _l("Report approved"),
}

#: the company's fields, as an import's column mapping and the change history call them
COMPANY_FIELD_LABELS = {
    "name": _l("Company name"),
    "nib": _l("NIB"),
    "npwp": _l("NPWP"),
    "npp": _l("NPP"),
    "director_name": _l("Director"),
    "address": _l("Address"),
    "kelurahan": _l("Kelurahan"),
    "kecamatan": _l("Kecamatan"),
    "city": _l("City"),
    "postal_code": _l("Postal code"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "sector": _l("Sector"),
    "business_size": _l("Business size"),
    "risk_class": _l("Work-accident risk class (1–5)"),
    "workers_estimated": _l("Workers (estimated)"),
    "workers_registered": _l("Workers registered"),
    "average_wage": _l("Average monthly wage (Rp)"),
    "programs": _l("Programs taken"),
    "obliged_on": _l("Obliged since"),
    "reported_wage": _l("Wage reported to the agency (Rp)"),
}

#: what the keys of an audit event's changes are called (a key not here is shown humanised)
CHANGE_FIELDS = {
    **COMPANY_FIELD_LABELS,
    "name": _l("Name"),  # a change's name may be an account's or a branch's
    "unpaid_since": _l("Contributions unpaid since"),
    "source": _l("Source"),
    "officer_id": _l("Officer"),
    "officer": _l("Officer"),
    "notes": _l("Notes"),
    "branch_id": _l("Branch"),
    "role": _l("Role"),
    "active": _l("Active"),
    "region_id": _l("Region"),
    "location": _l("Location"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "accuracy_m": _l("Accuracy (m)"),
    "taken_at": _l("Taken at"),
    "warning": _l("Warning"),
    "case": _l("Case"),
    "step": _l("Step"),
    "kind": _l("Kind"),
    "occurred_on": _l("Date"),
    "outcome": _l("Outcome"),
    "met": _l("Person met"),
    "proofs": _l("Proof files"),
    "delivery_status": _l("Delivery"),
    "delivered_on": _l("Delivered on"),
    "method": _l("Delivery method"),
    "approval_status": _l("Approval"),
    "note": _l("Note"),
    "reason": _l("Reason"),
    "categories": _l("Categories"),
    "registered": _l("Workers registered"),
    "request": _l("Closing request"),
    "withdrawn": _l("Withdrawn"),
    "draft_letters": _l("Draft letters"),
    "approvals": _l("Approvals"),
    "reminders": _l("Tasks"),
    "close_suggestions": _l("Suggestions to close"),
    "directives": _l("Instructions"),
    "closing_letters": _l("Closing letters"),
    "text": _l("Instruction"),
    "suggestion": _l("Suggestion to close"),
    "reply": _l("Reply"),
    "channel": _l("By"),
    "received_on": _l("Received on"),
    "attachment": _l("Attachment"),
    "commitment": _l("Commitment"),
    "promised_on": _l("Promised for"),
    "workers": _l("Workers"),
    "wage": _l("Wage"),
    "arrears": _l("Arrears to pay"),
    "next_due_on": _l("Next due"),
    "entry": _l("Entry"),
    "number": _l("Number"),
    "amount": _l("Amount"),
    "due_on": _l("Due on"),
    "joint_visit": _l("Joint visit"),
    "office": _l("Partner office"),
    "proposed_on": _l("Proposed day"),
    "letter": _l("Letter"),
    "response": _l("Response"),
    "responded_on": _l("Answered on"),
    "by": _l("Answered by"),
    "agreed_on": _l("Agreed day"),
    "recorded_by": _l("Recorded by"),
    "payment_id": _l("Payment"),
    "paid_on": _l("Paid on"),
    "reference": _l("Reference"),
    "file": _l("File"),
    "import": _l("Import"),
    "inspection": _l("Inspection"),
    "template": _l("Template"),
    "version": _l("Version"),
    "sha256": _l("Fingerprint (SHA-256)"),
    # what the data-access log keeps of a read, an export or a download
    "format": _l("Format"),
    "filters": _l("List filters"),
    "proof": _l("Proof"),
    "payment": _l("Payment"),
    "material": _l("Material"),
    "report": _l("Report"),
    "period": _l("Month"),
    "day": _l("Day"),
    "letters": _l("Letters"),
    "visit_forms": _l("Visit forms"),
    "job": _l("Job"),
    "year": _l("Year"),
    "area": _l("Area"),
}

#: the keys under which an audit event keeps a plain list (the person met is [name, job
#: title]; the proof files, the categories, the closing letters drafted); any other list of
#: two is a change, [before, after], as `core.audit.diff` writes it
LIST_CHANGES = frozenset({"met", "proofs", "categories", "closing_letters", "inspectors",
                          "added", "scopes"})

#: the keys of an audit event's changes that hold a row's id (shown as "#12")
ID_CHANGES = frozenset({"case", "step", "letter", "joint_visit", "payment_id", "import",
                        "inspection", "request", "reply", "commitment", "entry", "suggestion",
                        "closing_letters", "recorded_by", "officer_id", "officer", "branch_id",
                        "region_id", "proof", "payment", "material", "report", "job"})

#: the keys kept for the app's own use, not shown (the name as duplicates are searched by)
HIDDEN_CHANGES = frozenset({"name_key"})

#: the keys holding an amount of Rupiah
MONEY_CHANGES = frozenset({"amount", "wage", "arrears", "average_wage", "reported_wage"})

#: the keys holding a code of a label table (GROUPS), for every action
CODE_CHANGES = {
    "delivery_status": "delivery",
    "method": "method",
    "categories": "category",
    "business_size": "size",
    "source": "source",
    "approval_status": "approval",
    "status": "case_status",
    "rung": "rung",
    "channel": "channel",
    "response": "joint_visit_response",
    "role": "role",
}

#: the keys whose code table depends on the action
ACTION_CODE_CHANGES = {
    "step.log": {"kind": "rung", "outcome": "outcome"},
    "case.close": {"outcome": "close"},
    "case.close_request": {"outcome": "close"},
    "case.pause": {"reason": "pause"},
    "legal.add": {"kind": "legal_kind"},
    "payment.recorded": {"kind": "payment_kind"},
    "download.job_result": {"kind": "queue_job"},
}

GROUPS = {
    "role": ROLES,
    "category": CATEGORIES,
    "case_status": CASE_STATUSES,
    "size": BUSINESS_SIZES,
    "source": SOURCES,
    "rung": RUNGS,
    "outcome": OUTCOMES,
    "pause": PAUSE_REASONS,
    "close": CLOSE_OUTCOMES,
    "approval": APPROVALS,
    "delivery": DELIVERIES,
    "method": DELIVERY_METHODS,
    "letter_status": LETTER_STATUSES,
    "job": JOBS,
    "queue_job": QUEUE_JOBS,
    "job_outcome": JOB_OUTCOMES,
    "job_count": JOB_COUNTS,
    "sponsor_kind": SPONSOR_KINDS,
    "access": ACCESS_ACTIONS,
    "entity": ENTITIES,
    "inspection": INSPECTION_STATUSES,
    "check": CHECKS,
    "figure_source": FIGURE_SOURCES,
    "joint_visit": JOINT_VISIT_STATUSES,
    "joint_visit_response": JOINT_VISIT_RESPONSES,
    "legal_kind": LEGAL_KINDS,
    "channel": CHANNELS,
    "payment_kind": PAYMENT_KINDS,
    "audit": AUDIT_ACTIONS,
    "field": CHANGE_FIELDS,
}


def label(code: str | None, group: str) -> str:
    """The user-facing label of a code; the code itself when it has none."""
    if not code:
        return ""
    return _translated(code, group, str(get_locale()))


@lru_cache(maxsize=8192)
def _translated(code: str, group: str, locale: str) -> str:
    """A label in one locale: translated once (a list page shows the same few labels on every
    row; the tables of labels never change while the app runs)."""
    return str(GROUPS[group].get(code, code))


def choices(group: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a select field."""
    return [(code, str(text)) for code, text in GROUPS[group].items()]


def field_label(key: str) -> str:
    """What a key of an audit event's changes is called: its label, or the key humanised
    ("accuracy_limit_m" as "Accuracy limit m") when it has none."""
    known = CHANGE_FIELDS.get(key)
    return str(known) if known is not None else key.replace("_", " ").strip().capitalize()


def change_group(key: str, action: str) -> str | None:
    """The label table (of GROUPS) of the codes an audit event keeps under `key`, if any."""
    return ACTION_CODE_CHANGES.get(action, {}).get(key) or CODE_CHANGES.get(key)

