"""What users read for each code stored in the database, in their language."""

from __future__ import annotations

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
    "job_outcome": JOB_OUTCOMES,
    "job_count": JOB_COUNTS,
    "sponsor_kind": SPONSOR_KINDS,
    "access": ACCESS_ACTIONS,
    "entity": ENTITIES,
    "inspection": INSPECTION_STATUSES,
    "check": CHECKS,
    "figure_source": FIGURE_SOURCES,
    "joint_visit": JOINT_VISIT_STATUSES,
}


def label(code: str | None, group: str) -> str:
    """The user-facing label of a code; the code itself when it has none."""
    if not code:
        return ""
    return str(GROUPS[group].get(code, code))


def choices(group: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a select field."""
    return [(code, str(text)) for code, text in GROUPS[group].items()]
