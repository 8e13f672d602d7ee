"""The orchestration API. The CLI, the app and the evals call this and nothing below it.

``Advisor(settings)`` builds nothing until first use (``Components``); then it keeps one
embedder, one store, one session database and one engine for its lifetime, and is safe to share
between threads. It is a thin front: every call goes through the one access check
(``Workspaces``) and on to a service of one responsibility; computing (``Pipeline``) never
writes, and saving a draft is an explicit step of ``plan``.

    advisor.create_workspace(name) -> Workspace
    advisor.add_stakeholder(workspace_id, name, role) -> Stakeholder
    advisor.start_interview(stakeholder_id) -> TurnResult        (first or open question)
    advisor.answer(stakeholder_id, text) -> TurnResult           (answer stored first)
    advisor.add_document(workspace_id, name, data) -> DocumentRecord
    advisor.assess(workspace_id) -> Assessment                   (computed, not saved)
    advisor.plan(workspace_id) -> Plan                           (drafted, then saved)
    advisor.ask(workspace_id, question) -> Answer
    advisor.assess_transcript(transcript, paths) / plan_transcript(...)   (files, no session)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from app.documents.embeddings import Embedder
from app.knowledge.catalog import Knowledge
from app.llm.budget import action
from app.llm.chat import Chat
from app.llm.engine import Engine
from app.schemas import (
    Plan,
)
from app.service.components import Components
from app.service.documents import Documents
from app.service.interviews import Interviews
from app.service.pilots import Pilots
from app.service.pipeline import Pipeline
from app.service.transcripts import Transcripts
from app.service.units import Sources
from app.service.workspace import Workspaces
from app.settings import Settings

if TYPE_CHECKING:
    from app.advice.interview import Interviewer
    from app.documents.store import VectorStore
    from app.service.access import Gate
    from app.service.sessions import SessionStore

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


def _llm_action(
    method: Callable[Concatenate[Advisor, P], R],
) -> Callable[Concatenate[Advisor, P], R]:
    """One user action: its LLM calls share one time budget (ADVISOR_LLM_BUDGET_SECONDS), and
    the audit of its result lists them, with the prompts it used."""

    @wraps(method)
    def run(self: Advisor, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with action(self.settings.llm_budget_seconds):
            return method(self, *args, **kwargs)

    return run


def forward(
    service: Callable[[Advisor], S], method: Callable[Concatenate[S, P], R]
) -> Callable[Concatenate[Advisor, P], R]:
    """An ``Advisor`` method that hands the call to ``method`` of one of its services, with
    the service's own signature and docstring (so callers, mypy and ``inspect`` see them)."""

    @wraps(method)
    def run(self: Advisor, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(service(self), *args, **kwargs)

    return run


def _parts(advisor: Advisor) -> Components:
    return advisor.components


def _access(advisor: Advisor) -> Workspaces:
    return advisor.access


def _docs(advisor: Advisor) -> Documents:
    return advisor.docs


def _interviews(advisor: Advisor) -> Interviews:
    return advisor.interviews


def _pipeline(advisor: Advisor) -> Pipeline:
    return advisor.pipeline


def _pilots(advisor: Advisor) -> Pilots:
    return advisor.pilots


def _transcripts(advisor: Advisor) -> Transcripts:
    return advisor.transcripts


class Advisor:
    def __init__(
        self, settings: Settings, embedder: Embedder | None = None, chat: Chat | None = None
    ) -> None:
        self.components = parts = Components(settings, embedder, chat)
        self.access = Workspaces(parts)
        self.sources = Sources(parts)
        self.pipeline = Pipeline(parts)
        self.docs = Documents(parts, self.access)
        self.interviews = Interviews(parts, self.access, self.sources)
        self.pilots = Pilots(parts, self.access, self.sources, self.pipeline, self.docs)
        self.transcripts = Transcripts(parts, self.sources, self.pipeline, self.docs)

    # the parts callers may look at ---------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self.components.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings for the parts built from now on (tests change limits this way)."""
        self.components.settings = settings

    @property
    def embedder(self) -> Embedder:
        return self.components.embedder

    @property
    def store(self) -> VectorStore:
        return self.components.store

    @property
    def sessions(self) -> SessionStore:
        return self.components.sessions

    @property
    def gate(self) -> Gate:
        return self.components.gate

    @property
    def knowledge(self) -> Knowledge:
        return self.components.knowledge

    @property
    def interviewer(self) -> Interviewer:
        return self.components.interviewer

    @property
    def engine(self) -> Engine:
        return self.components.engine

    @property
    def engine_name(self) -> str:
        return self.components.engine_name

    def warm(self) -> None:
        """Load what the first request would, and clean up documents left half-indexed."""
        self.docs.recover_documents()
        self.components.warm()

    # knowledge base and documents ---------------------------------------------------------------

    index_knowledge = forward(_parts, Components.index_knowledge)
    knowledge_indexed = forward(_parts, Components.knowledge_indexed)
    ensure_knowledge = forward(_parts, Components.ensure_knowledge)
    ingest = forward(_docs, Documents.ingest)
    ingest_upload = forward(_docs, Documents.ingest_upload)
    add_document = forward(_docs, Documents.add_document)
    recover_documents = forward(_docs, Documents.recover_documents)
    documents = forward(_docs, Documents.documents)
    remove_document = forward(_docs, Documents.remove_document)
    search = forward(_docs, Documents.search)
    passage = forward(_docs, Documents.passage)

    # workspaces, people, links -------------------------------------------------------------------

    create_workspace = forward(_access, Workspaces.create_workspace)
    workspaces = forward(_access, Workspaces.workspaces)
    workspace = forward(_access, Workspaces.workspace)
    role = forward(_access, Workspaces.role)
    add_stakeholder = forward(_access, Workspaces.add_stakeholder)
    stakeholders = forward(_access, Workspaces.stakeholders)
    stakeholder = forward(_access, Workspaces.stakeholder)
    turns = forward(_access, Workspaces.turns)
    share = forward(_access, Workspaces.share)
    invite = forward(_access, Workspaces.invite)
    revoke_invites = forward(_access, Workspaces.revoke_invites)
    invite_status = forward(_access, Workspaces.invite_status)
    redeem = forward(_access, Workspaces.redeem)
    sign_in = forward(_access, Workspaces.sign_in)
    audit_trail = forward(_access, Workspaces.audit_trail)
    save_view = forward(_access, Workspaces.save_view)
    view = forward(_access, Workspaces.view)

    # interview (each answer is one user action for the LLM's time budget) -------------------------

    start_interview = _llm_action(forward(_interviews, Interviews.start))
    answer = _llm_action(forward(_interviews, Interviews.answer))
    finish_interview = _llm_action(forward(_interviews, Interviews.finish))
    delete_answer = forward(_interviews, Interviews.delete_answer)
    coverage = forward(_interviews, Interviews.coverage)
    read_answer = forward(_pipeline, Pipeline.read_answer)
    read = forward(_pipeline, Pipeline.read)

    # assessment, plan, profile, questions --------------------------------------------------------

    assess = _llm_action(forward(_pilots, Pilots.assess))
    latest_plan = forward(_pilots, Pilots.latest_plan)
    latest_assessment = forward(_pilots, Pilots.latest_assessment)
    set_profile = forward(_pilots, Pilots.set_profile)
    profile = forward(_pilots, Pilots.profile)
    ask = _llm_action(forward(_pilots, Pilots.ask))
    export = forward(_pilots, Pilots.export)

    @_llm_action
    def plan(self, workspace_id: str, user: str | None = None) -> Plan:
        """Draft the plan, then save it with the assessment it rests on."""
        return self.pilots.save(workspace_id, self.pilots.draft(workspace_id, user))

    # transcripts (CLI and evals): no session needed ----------------------------------------------

    assess_transcript = _llm_action(forward(_transcripts, Transcripts.assess))
    plan_transcript = _llm_action(forward(_transcripts, Transcripts.plan))
