"""The app's pages, in the order a consultant works: pilot, interviews, documents, assessment,
plan, export. Each is ``render(advisor, view, user, workspace)``."""

from __future__ import annotations

from collections.abc import Callable

from app.schemas import Workspace
from app.service.advisor import Advisor
from app.ui.state import View
from app.ui.views import assessment, documents, export, interview, pilots, plan

Page = Callable[[Advisor, View, "str | None", "Workspace | None"], None]

PAGES: dict[str, Page] = {
    "Pilot and people": pilots.render,
    "Interview": interview.render,
    "Documents": documents.render,
    "Assessment": assessment.render,
    "Plan": plan.render,
    "Export": export.render,
}
