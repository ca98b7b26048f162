"""`/api/v1`: the JSON API for partner systems (flask-smorest), its OpenAPI document and its
documentation page.

Only a bearer token authenticates here (`Authorization: Bearer …`): the session cookie of the
web app is never read for it, CSRF does not apply, and a token opens no web page (Flask-Login
reads no header). Every call is kept in the audit log and rate limited per token.
"""

from __future__ import annotations

import http
from functools import wraps
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint, abort
from flask_smorest.utils import prepare_response
from marshmallow import RAISE

from outreach.api import schemas
from outreach.api import service as api
from outreach.api.models import Scope
from outreach.api.problems import PROBLEM_JSON, answer_error, problem
from outreach.core import clock
from outreach.core.errors import ServiceError, answer_errors_under
from outreach.core.guards import public
from outreach.extensions import csrf, db, limiter

PREFIX = "/api/v1"
#: the status codes every call may answer besides its own (documented on each operation)
COMMON_ERRORS = (401, 403, 429)

blp = Blueprint("api", __name__, url_prefix=PREFIX, description="Partner systems' API.")
docs = FlaskBlueprint("api_docs", __name__, static_url_path=f"{PREFIX}/docs/assets",
                      static_folder=str(Path(flask_swagger_ui.__file__).parent / "dist"))


class PartnerApi(Api):
    """flask-smorest's Api, answering errors as problem details: its own handler of every
    HTTP error is not installed (the web pages keep theirs, `core.errors` hands `/api/v1` to
    `problems.answer_error`) and the documented error responses are `application/problem+json`.
    """

    ERROR_SCHEMA = schemas.Problem

    def _register_error_handlers(self) -> None:
        """Errors go through `core.errors` (see the class)."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Any other error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """Rate limits count per token (per address for calls without one)."""
    secret = _bearer()
    return f"token:{api.hash_secret(secret)[:24]}" if secret else get_remote_address()


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


@blp.before_request
def authenticate():
    """Every call needs a token that works today; its reach becomes `g.api_reader`."""
    now = clock.now()
    token, why = api.authenticate(_bearer(), clock.today(), now)
    if token is None:
        return problem(401, why)
    g.api_token = token
    g.api_reader = api.reader_of(token)
    return None


def needs(scope: str):
    """View decorator: the token must hold `scope` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if scope not in g.api_token.scope_list:
                abort(403, message=str(_scope_refusal(scope)))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _scope_refusal(scope: str) -> str:
    return _("This API token lacks the %(scope)s scope this call needs.", scope=scope)


def documented(*codes: int):
    """Document the problem responses of an operation."""

    def decorator(view):
        for code in (*COMMON_ERRORS, *codes):
            view = blp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorator


def refused(error: ServiceError):
    """A refusal of the service as a 422 problem at its field."""
    db.session.rollback()
    errors: dict = {}
    *path, last = (error.field or "request").split(".")
    level = errors
    for key in path:  # "registrations.0.nib", as webargs nests a list's messages
        level = level.setdefault(key, {})
    level[last] = [error.message]
    abort(422, message=error.message, errors=errors)


def _page(result: api.Page) -> dict:
    return {"items": result.items, "page": result.page, "per_page": result.per_page,
            "total": result.total}


# --- companies ------------------------------------------------------------------------------


@blp.route("/companies")
@public
@needs(Scope.READ)
@blp.arguments(schemas.CompanyArgs, location="query", as_kwargs=True,
               unknown=RAISE)
@blp.response(200, schemas.CompanyPage)
@documented()
def companies(**args):
    """Search companies

    By words of the name, NIB, NPWP (either form) or NPP; one page at a time."""
    try:
        return _page(api.search_companies(g.api_reader, **args))
    except ServiceError as error:
        refused(error)


@blp.route("/companies/<int(max=2147483647):company_id>")
@public
@needs(Scope.READ)
@blp.response(200, schemas.Company)
@documented(404)
def company(company_id: int):
    """Read a company"""
    found = api.get_company(g.api_reader, company_id)
    if found is None:
        abort(404)
    return found


# --- cases ----------------------------------------------------------------------------------


@blp.route("/cases")
@public
@needs(Scope.READ)
@blp.arguments(schemas.CaseArgs, location="query", as_kwargs=True,
               unknown=RAISE)
@blp.response(200, schemas.CasePage)
@documented()
def cases(**args):
    """List cases

    Of one company (`company_id`) or in one status; newest first."""
    return _page(api.search_cases(g.api_reader, **args))


def _letter(letter) -> dict:
    return {"id": letter.id, "kind": letter.template.code, "number": letter.number,
            "issued_on": letter.issued_on, "status": letter.status,
            "addressee": letter.addressee_name,
            "verification_url": api.verify_url(letter, current_app.config["PUBLIC_BASE_URL"]),
            "pdf_url": url_for("api.letter_pdf", letter_id=letter.id, _external=True)}


@blp.route("/cases/<int(max=2147483647):case_id>")
@public
@needs(Scope.READ)
@blp.response(200, schemas.CaseDetail)
@documented(404)
def case(case_id: int):
    """Read a case with its steps and letters"""
    found = api.get_case(g.api_reader, case_id)
    if found is None:
        abort(404)
    data = schemas.Case().dump(found)
    data["steps"] = sorted(found.steps, key=lambda s: (s.occurred_on, s.id))
    data["letters"] = [_letter(x) for x in api.official_letters(g.api_reader, found)]
    return data


@blp.route("/letters/<int(max=2147483647):letter_id>.pdf")
@public
@needs(Scope.READ)
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The letter as issued: the same document every time.")
@documented(404)
def letter_pdf(letter_id: int):
    """A letter's PDF"""
    letter = api.get_letter(g.api_reader, letter_id)
    if letter is None or not letter.pdf:
        abort(404)
    return Response(letter.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="surat-{letter.id}.pdf"'})


# --- sanctions ------------------------------------------------------------------------------


@blp.route("/sanctions")
@public
@needs(Scope.SANCTIONS)
@blp.arguments(schemas.SanctionArgs, location="query", as_kwargs=True,
               unknown=RAISE)
@blp.response(200, schemas.Sanctions)
@documented()
def sanctions(**args):
    """Look up a TMP2T recommendation

    For the permit office's desk: whether a recommendation to withhold public services (TMP2T,
    PP 86/2013 art. 8) is in force for the business with this NIB or NPWP, since when, the
    letter's number and its verification link; and the recommendations lifted, and when."""
    try:
        return api.sanctions(g.api_reader, nib=args.get("nib"), npwp=args.get("npwp"),
                             public_base_url=current_app.config["PUBLIC_BASE_URL"])
    except ServiceError as error:
        refused(error)


# --- registrations --------------------------------------------------------------------------


@blp.route("/registrations", methods=["POST"])
@public
@needs(Scope.WRITE)
@blp.arguments(schemas.RegistrationBatchIn)
@blp.response(200, schemas.RegistrationBatchOut)
@documented(409)
def registrations(batch: dict):
    """Send registrations

    A batch of registrations (NPP, NIB or NPWP, workers registered, date) from the membership
    system, matched to the branch's companies as imports match and applied as an import of the
    agency's list: values updated, cases shown compliant put on the officers' list to verify
    and close. Once per `batch_id`: the same batch again changes nothing and gets the same
    answer, with `replayed` true."""
    try:
        answer, replayed = api.receive_registrations(
            g.api_token, batch_id=batch["batch_id"], branch_code=batch.get("branch"),
            registrations=batch["registrations"], today=clock.today(), now=clock.now())
    except api.BatchConflict as error:
        db.session.rollback()
        abort(409, message=error.message)
    except ServiceError as error:
        refused(error)
    db.session.commit()
    return {**answer, "replayed": replayed}


# --- the document and its page --------------------------------------------------------------


@docs.route(f"{PREFIX}/openapi.json")
@public
def openapi_json():
    """The OpenAPI 3.1 document of the API."""
    return jsonify(current_app.extensions["outreach.api"].spec.to_dict())


@docs.route(f"{PREFIX}/docs")
@public
def docs_page():
    """The API's documentation, readable in a browser (Swagger UI shipped with the package)."""
    return render_template("api/docs.html")


def audit_call(response: Response) -> Response:
    """Keep every call to `/api/v1` in the audit log (the document and its page aside)."""
    path = request.path
    if not path.startswith(PREFIX + "/") or request.endpoint in (
            "api_docs.openapi_json", "api_docs.docs_page", "api_docs.static"):
        return response
    token = g.get("api_token")
    api.record_call(token.id if token else None, token.branch_id if token else None,
                    method=request.method, path=path, query=request.query_string.decode(
                        "utf-8", "replace"), status=response.status_code)
    db.session.commit()
    return response


# the web app's cookies and CSRF never apply here; each token has its own rate limit
csrf.exempt(blp)
limiter.limit(_rate_limit, key_func=rate_key)(blp)


def init_app(app: Flask) -> None:
    """Mount the API, its document and page; problem details for its errors; no CSRF."""
    app.config.setdefault("API_TITLE", "outreach partner API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Read companies, cases and letters, look up TMP2T "
                               "recommendations, and send registrations. See docs/api.md."},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http",
                                                          "scheme": "bearer"}}},
    })
    partner_api = PartnerApi(app)
    app.extensions["outreach.api"] = partner_api
    partner_api.register_blueprint(blp)
    app.register_blueprint(docs)
    app.after_request(audit_call)
    answer_errors_under(app, PREFIX + "/", answer_error)
