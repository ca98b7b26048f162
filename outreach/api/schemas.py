"""The API's request and response schemas (marshmallow): what flask-smorest validates requests
against and documents in `/api/v1/openapi.json`."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

#: the largest id a record has (a 32-bit integer column on both databases)
MAX_ID = 2**31 - 1


#: an NIB as sent: 13 digits (spaces around are ignored)
NIB = validate.Regexp(r"^\s*[0-9]{13}\s*$", error="An NIB has 13 digits.")
#: an NPWP as sent: 15 or 16 digits, with or without its dots and dash
NPWP = validate.Regexp(r"^[\s.\-]*(?:[0-9][\s.\-]*){15,16}$",
                       error="An NPWP has 15 or 16 digits.")


class Problem(ma.Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"description": "Always `about:blank`: the "
                                                                 "status says what happened."})
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, in the "
                                                                   "app's language."})
    instance = fields.String(required=True, metadata={"description": "The path called."})
    errors = fields.Dict(keys=fields.String(), metadata={
        "description": "Invalid values by field (422 only): a list of messages, or for a "
                       "list field the messages by position."})


class PageArgs(ma.Schema):
    """The pagination of every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageOf(ma.Schema):
    """One page of a list: `items`, and where it is in the whole."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items in the whole list."})


class CompanyArgs(PageArgs):
    """Searching companies."""

    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "Words of the company's name."})
    nib = fields.String(validate=NIB, metadata={"description": "NIB, 13 digits."})
    npwp = fields.String(validate=NPWP, metadata={
        "description": "NPWP in 15 or 16 digits, with or without punctuation "
                       "(01.234.567.8-901.000 finds 0012345678901000 too)."})
    npp = fields.String(validate=validate.Length(max=20))


class Company(ma.Schema):
    """A company (employer) as the token's branch or region knows it."""

    id = fields.Integer(required=True)
    branch = fields.Function(lambda c: c.branch.code, required=True,
                             metadata={"type": "string"})
    name = fields.String(required=True)
    nib = fields.String(allow_none=True, required=True)
    npwp = fields.String(allow_none=True, required=True)
    npp = fields.String(allow_none=True, required=True)
    address = fields.String(required=True)
    kelurahan = fields.String(required=True)
    kecamatan = fields.String(required=True)
    city = fields.String(required=True)
    sector = fields.String(required=True)
    business_size = fields.String(required=True)
    workers_estimated = fields.Integer(required=True)
    workers_registered = fields.Integer(required=True)
    programs = fields.Function(lambda c: [p for p in (c.programs or "").split(",") if p],
                               required=True, metadata={"type": "array",
                                                        "items": {"type": "string"}})
    open_case_status = fields.String(required=True, metadata={
        "description": "Status of its case that is not closed (open or paused), or empty."})
    open_case_due_on = fields.Date(allow_none=True, required=True)


class CompanyPage(PageOf):
    """A page of companies."""

    items = fields.List(fields.Nested(Company), required=True)


class CaseArgs(PageArgs):
    """Listing cases."""

    company_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    status = fields.String(validate=validate.OneOf(("open", "paused", "closed")))


class Case(ma.Schema):
    """A case: one episode of a company's non-compliance, worked up the escalation ladder."""

    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    branch = fields.Function(lambda c: c.company.branch.code, required=True,
                             metadata={"type": "string"})
    status = fields.String(required=True, metadata={"description": "open, paused or closed"})
    categories = fields.List(fields.String(), required=True, metadata={
        "description": "PWBD, PDS-TK, PDS-Upah, PDS-Program, Menunggak"})
    stage = fields.String(required=True, metadata={"description": "The highest rung in force."})
    next_rung = fields.String(required=True)
    next_due_on = fields.Date(allow_none=True, required=True)
    opened_on = fields.Date(required=True)
    closed_on = fields.Date(allow_none=True, required=True)
    outcome = fields.String(required=True)


class CasePage(PageOf):
    """A page of cases."""

    items = fields.List(fields.Nested(Case), required=True)


class Step(ma.Schema):
    """A step logged on a case: a letter, a visit, a warning …"""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    outcome = fields.String(required=True)
    due_on = fields.Date(allow_none=True, required=True)
    delivery_status = fields.String(required=True)
    delivered_on = fields.Date(allow_none=True, required=True)
    approval_status = fields.String(required=True)
    letter_id = fields.Integer(allow_none=True, required=True)


class Letter(ma.Schema):
    """An issued letter (or one withdrawn since): drafts are no official document."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "The template's code."})
    number = fields.String(required=True)
    issued_on = fields.Date(required=True)
    status = fields.String(required=True,
                           metadata={"description": "issued, or void: withdrawn since"})
    addressee = fields.String(required=True)
    verification_url = fields.String(required=True)
    pdf_url = fields.String(required=True)


class CaseDetail(Case):
    """A case with its steps and its letters."""

    steps = fields.List(fields.Nested(Step), required=True)
    letters = fields.List(fields.Nested(Letter), required=True)


class SanctionArgs(ma.Schema):
    """The permit office's lookup: a business by NIB or NPWP."""

    nib = fields.String(validate=NIB, metadata={"description": "NIB, 13 digits."})
    npwp = fields.String(validate=NPWP, metadata={
        "description": "NPWP, 15 or 16 digits, either form, with or without punctuation."})


class Recommendation(ma.Schema):
    """A TMP2T recommendation (PP 86/2013 art. 8): in force, or lifted."""

    status = fields.String(required=True, validate=validate.OneOf(("in_force", "lifted")))
    since = fields.Date(required=True, metadata={"description": "The letter's date."})
    letter_number = fields.String(required=True)
    verification_url = fields.String(required=True)
    lifted_on = fields.Date(allow_none=True, required=True)
    lift_letter_number = fields.String(allow_none=True, required=True)
    lift_verification_url = fields.String(allow_none=True, required=True)
    case_id = fields.Integer(required=True)


class SanctionedCompany(ma.Schema):
    """A business found, with its recommendations."""

    company = fields.Nested(Company, required=True)
    in_force = fields.Boolean(required=True)
    recommendations = fields.List(fields.Nested(Recommendation), required=True)


class Sanctions(ma.Schema):
    """Whether a TMP2T recommendation is in force for the business."""

    nib = fields.String(allow_none=True, required=True)
    npwp = fields.String(allow_none=True, required=True)
    in_force = fields.Boolean(required=True, metadata={
        "description": "A recommendation stands: withhold the licence or its extension."})
    companies = fields.List(fields.Nested(SanctionedCompany), required=True)


class Registration(ma.Schema):
    """A company registered with the agency, as the membership system knows it."""

    npp = fields.String(required=True, validate=validate.Regexp(r"^\s*[0-9A-Za-z.\-]{1,20}\s*$"),
                        metadata={"description": "The employer number (NPP)."})
    nib = fields.String(allow_none=True, validate=NIB)
    npwp = fields.String(allow_none=True, validate=NPWP, metadata={
        "description": "15 or 16 digits, either form. Give the NIB, the NPWP or both."})
    workers_registered = fields.Integer(required=True,
                                        validate=validate.Range(min=0, max=10_000_000))
    registered_on = fields.Date(required=True)


class RegistrationBatchIn(ma.Schema):
    """A batch of registrations, sent once per batch id."""

    batch_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._:\-]{1,80}$"),
                             metadata={"description": "The sender's id of the batch: sending "
                                                      "it again changes nothing."})
    branch = fields.String(validate=validate.Length(max=20), metadata={
        "description": "Branch code; needed with a region's token."})
    registrations = fields.List(fields.Nested(Registration), required=True,
                                validate=validate.Length(min=1, max=1000))


class RowError(ma.Schema):
    """Why a registration was not taken."""

    field = fields.String(required=True)
    message = fields.String(required=True)


class RegistrationResult(ma.Schema):
    """What a registration did."""

    index = fields.Integer(required=True, metadata={"description": "Its position in the batch."})
    npp = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "updated, unchanged, rejected, or unmatched (no company of the branch "
                       "has the NIB or NPWP)"})
    company_id = fields.Integer(allow_none=True, required=True)
    matched_by = fields.String(allow_none=True, required=True)
    verify_close = fields.Boolean(required=True, metadata={
        "description": "The company's case went on the officers' list to verify and close."})
    errors = fields.List(fields.Nested(RowError), required=True)


class BatchCounts(ma.Schema):
    """The registrations of a batch by what they did."""

    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    unmatched = fields.Integer(required=True)
    verify_close = fields.Integer(required=True)


class RegistrationBatchOut(ma.Schema):
    """The answer to a batch (the same again for a repeat)."""

    batch_id = fields.String(required=True)
    branch = fields.String(required=True)
    import_id = fields.Integer(allow_none=True, required=True)
    replayed = fields.Boolean(required=True, metadata={
        "description": "True when the batch id was received before: nothing changed now."})
    counts = fields.Nested(BatchCounts, required=True)
    results = fields.List(fields.Nested(RegistrationResult), required=True)
