"""What the inspection rules answer from data alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from outreach.cases.models import Category

#: the categories whose first written warning needs an approved inspection report: what the
#: company under-reports (workers, wages, programs) or owes is established by inspecting its
#: records (PP 86/2013 art. 13(1): sanctions rest on the supervision and inspection of
#: compliance). A company that never registered (PWBD) is warned on a delivered notification
#: and a visit, as before.
INSPECTED_CATEGORIES = (Category.PDS_TK, Category.PDS_UPAH, Category.PDS_PROGRAM,
                        Category.ARREARS)

#: the company figures an approved report's findings set, by the finding that sets them
FINDINGS = {"workers_found": "workers_estimated", "wages_found": "average_wage",
            "programs_found": "programs"}


def needs_inspection(categories: Iterable[str]) -> bool:
    """Whether a case of these categories needs an approved inspection report before its
    first written warning."""
    return any(code in INSPECTED_CATEGORIES for code in categories)


def findings_for_company(inspection: Any) -> dict[str, Any]:
    """The company's figures as the report found them: only the findings recorded (a number
    the inspectors left empty keeps the company's value; the programs are a finding when the
    membership was checked)."""
    values: dict[str, Any] = {}
    for finding, figure in FINDINGS.items():
        value = getattr(inspection, finding)
        if finding == "programs_found":
            if "membership" in inspection.checked_list:
                values[figure] = value or ""
        elif value is not None:
            values[figure] = value
    return values
