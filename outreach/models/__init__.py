"""All models, importable from one place (Alembic and the CLI need them all loaded)."""

from outreach.models.audit import AuditEvent
from outreach.models.cases import (
    Approval,
    Case,
    CaseCategory,
    CaseStatus,
    Category,
    Delivery,
    LadderRung,
    Proof,
    Step,
)
from outreach.models.companies import BusinessSize, Company, ContributionRate, Program, Source
from outreach.models.imports import (
    CloseSuggestion,
    CompanyImport,
    CompanySourceValue,
    ImportStatus,
    SuggestionStatus,
)
from outreach.models.letters import Letter, LetterCounter, LetterStatus, LetterTemplate
from outreach.models.org import Branch, BranchHoliday, Region, Role, User
from outreach.models.reminders import (
    JobRun,
    Notification,
    Reminder,
    ReminderKind,
    ReminderStatus,
    SchedulerLease,
)
from outreach.models.review import Directive, MonthlyReport

__all__ = [
    "Approval",
    "AuditEvent",
    "Branch",
    "BranchHoliday",
    "BusinessSize",
    "Case",
    "CaseCategory",
    "CaseStatus",
    "Category",
    "CloseSuggestion",
    "Company",
    "CompanyImport",
    "CompanySourceValue",
    "ContributionRate",
    "Delivery",
    "Directive",
    "ImportStatus",
    "JobRun",
    "LadderRung",
    "Letter",
    "LetterCounter",
    "LetterStatus",
    "LetterTemplate",
    "MonthlyReport",
    "Notification",
    "Program",
    "Proof",
    "Region",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "SchedulerLease",
    "Role",
    "Source",
    "Step",
    "SuggestionStatus",
    "User",
]
