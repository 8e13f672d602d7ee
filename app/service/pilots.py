"""A pilot as a whole: ``workspace -> Assessment, Plan, PilotProfile, Answer, export``.

Viewing computes and writes nothing; ``save`` is the explicit step that stores a draft.
"""

from __future__ import annotations

import logging
from datetime import date

from app.advice.go_live import asks_about_going_live, verdict_answer
from app.advice.profile import infer as infer_profile
from app.advice.profile import stated as stated_profile
from app.errors import (
    ConfigError,
    NotFound,
)
from app.reading.reader import TextUnit
from app.schemas import (
    PROFILE_FIELDS,
    Answer,
    Assessment,
    PilotProfile,
    Plan,
)
from app.service.components import Components
from app.service.documents import Documents
from app.service.pipeline import Pipeline, readable_passages
from app.service.units import Sources
from app.service.workspace import Workspaces

log = logging.getLogger(__name__)


class Pilots:
    """A pilot's assessment, plan, profile, questions and exports, from what is stored."""

    def __init__(
        self,
        parts: Components,
        access: Workspaces,
        sources: Sources,
        pipeline: Pipeline,
        documents: Documents,
    ) -> None:
        self.parts = parts
        self.access = access
        self.sources = sources
        self.pipeline = pipeline
        self.documents = documents

    def assess(self, workspace_id: str, user: str | None = None) -> Assessment:
        """The pilot's assessment now, computed from what is stored (readings are cached):
        viewing it writes nothing. It is saved with the plan, when the plan is drafted."""
        self.access.pilot(workspace_id, user, "write")
        return self._assessment(workspace_id, self.sources.workspace_units(workspace_id))

    def draft(self, workspace_id: str, user: str | None) -> Plan:
        """The plan as it would be drafted now, from one read of the pilot's answers and
        documents; nothing is saved (``save`` does that)."""
        workspace = self.access.pilot(workspace_id, user, "write")
        units = self.sources.workspace_units(workspace_id)
        stakeholders = self.parts.sessions.stakeholders(workspace_id)
        people = [self.pipeline.person(p.name, p.role, p.role_id) for p in stakeholders]
        return self.pipeline.plan(
            self._assessment(workspace_id, units),
            {"name": workspace.name, **workspace.pilot},
            units,
            people,
        )

    def _assessment(self, workspace_id: str, units: list[TextUnit]) -> Assessment:
        docs = {
            d.source: d.sha256 or ""
            for d in self.parts.sessions.documents(workspace_id)
            if d.status == "indexed"
        }
        return self.pipeline.assess(units, docs, self.sources.copy_findings(workspace_id))

    def latest_plan(self, workspace_id: str, user: str | None = None) -> Plan | None:
        self.access.workspace(workspace_id, user)
        body = self.parts.sessions.latest_draft(workspace_id, "plan")
        return Plan.model_validate_json(body) if body else None

    def latest_assessment(self, workspace_id: str, user: str | None = None) -> Assessment | None:
        self.access.workspace(workspace_id, user)
        body = self.parts.sessions.latest_draft(workspace_id, "assessment")
        return Assessment.model_validate_json(body) if body else None

    def set_profile(
        self, workspace_id: str, fields: dict[str, object], user: str | None = None
    ) -> PilotProfile:
        """Store what the consultant says about the pilot; the reader never overrides it."""
        workspace = self.access.pilot(workspace_id, user, "write")
        pilot = dict(workspace.pilot)
        pilot["profile"] = {
            k: v for k, v in fields.items() if k in PROFILE_FIELDS and v not in (None, "", [])
        }
        checked = stated_profile(pilot)
        pilot["profile"] = checked.model_dump(include=set(checked.stated))
        self.parts.sessions.update_pilot(workspace_id, pilot)
        return self.profile(workspace_id, user)

    def profile(self, workspace_id: str, user: str | None = None) -> PilotProfile:
        """The stated profile, with open fields filled from answers and documents."""
        workspace = self.access.workspace(workspace_id, user)
        units = self.sources.workspace_units(workspace_id)
        return infer_profile(
            {"name": workspace.name, **workspace.pilot},
            readable_passages(units, self.parts.language),
            self.parts.knowledge.plan,
        )

    def ask(self, workspace_id: str | None, question: str, user: str | None = None) -> Answer:
        """Answer a free question from the playbooks and the workspace's documents, cited."""
        if workspace_id is not None:
            self.access.workspace(workspace_id, user)
        else:
            self.parts.gate.check_account(user)
        text = question.strip()
        if not text:
            raise ConfigError("Type a question.")
        if workspace_id is not None and asks_about_going_live(text):
            if self.access.role(workspace_id, user) == "owner":  # today's answer, not saved
                plan: Plan | None = self.draft(workspace_id, user)
            else:
                plan = self.latest_plan(workspace_id, user)
            if plan is None:
                raise NotFound("No plan has been drafted yet; ask the pilot's owner to draft one.")
            return verdict_answer(plan, text, self.parts.engine.name, date.today())
        results = self.documents.search(text, workspace=workspace_id, k=6, user=user)
        chunks = self.documents.chunks_for(results, workspace_id)
        answer, notices = self.parts.engine.answer(text, chunks)
        body, more = self.pipeline.clean(answer.text)
        return answer.model_copy(update={"text": body, "notices": notices + more})

    def export(self, workspace_id: str, fmt: str, user: str | None = None) -> bytes:
        """The pilot's latest plan as a file in ``fmt`` (json, md, pdf, docx or csv)."""
        from app.io.export import export

        plan = self.latest_plan(workspace_id, user)
        if plan is None:
            raise NotFound("No plan has been drafted yet: draft it on the Plan page first.")
        body = export(plan, fmt)
        self.parts.sessions.log(user, "export", f"workspace:{workspace_id}", fmt)
        return body

    def save(self, workspace_id: str, plan: Plan) -> Plan:
        """Store a drafted plan with the assessment it rests on (the one explicit write)."""
        self.parts.sessions.save_draft(
            workspace_id, "assessment", plan.assessment.model_dump_json()
        )
        self.parts.sessions.save_draft(workspace_id, "plan", plan.model_dump_json())
        return plan
