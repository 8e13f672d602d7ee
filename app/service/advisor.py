"""The orchestration API. The CLI, the app and the evals call this and nothing below it.

``Advisor(settings)`` builds nothing until first use; then it keeps one embedder, one store,
one session database and one engine for its lifetime, and is safe to share between threads.

    advisor.create_workspace(name) -> Workspace
    advisor.add_stakeholder(workspace_id, name, role) -> Stakeholder
    advisor.start_interview(stakeholder_id) -> TurnResult        (first or open question)
    advisor.answer(stakeholder_id, text) -> TurnResult           (answer stored first)
    advisor.add_document(workspace_id, name, data) -> IngestReport
    advisor.assess(workspace_id) -> Assessment
    advisor.plan(workspace_id) -> Plan
    advisor.ask(workspace_id, question) -> Answer
    advisor.assess_transcript(transcript, paths) / plan_transcript(...)   (files, no session)
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast

from app.advice import assess as scoring
from app.advice.figures import find_banned
from app.advice.interview import Interviewer, SlotState, role_id
from app.advice.plan import (
    Context,
    Person,
    Planner,
    asks_about_going_live,
    executive_summary,
    verdict_answer,
)
from app.advice.profile import Passage
from app.advice.profile import infer as infer_profile
from app.advice.profile import stated as stated_profile
from app.documents.chunk import Chunker
from app.documents.embeddings import Embedder, make_embedder
from app.documents.ingest import Limits, display_name, parse_bytes, parse_file
from app.errors import (
    AccessDenied,
    ConfigError,
    IngestError,
    NotFound,
    StoreError,
    UnreadableFile,
)
from app.knowledge.catalog import Knowledge, load_knowledge, playbook_document
from app.llm.engine import LLMEngineAdapter, OfflineEngine
from app.llm.online import action, current_calls
from app.reading.language import Reader
from app.reading.reader import Detection, EvidenceReader, ReaderModel, TextUnit, merge, paragraphs
from app.schemas import (
    PROFILE_FIELDS,
    Answer,
    Assessment,
    Audit,
    Chunk,
    ChunkRef,
    DocumentRecord,
    Evidence,
    Finding,
    IngestReport,
    ParsedDocument,
    PilotProfile,
    Plan,
    SearchResult,
    SourceKind,
    Stakeholder,
    Transcript,
    Turn,
    TurnRef,
    TurnResult,
    Workspace,
)
from app.service.access import STAKEHOLDER, Gate, Need, account_name
from app.service.sessions import SessionStore, now
from app.settings import Settings
from app.tokens import count, encoding

log = logging.getLogger(__name__)

DEFAULT_WORKSPACE = "default"
ENGINES = ("offline", "openai:<model>")
Progress = Callable[[int, int, str], None]


if TYPE_CHECKING:  # chromadb loads only when the store is first opened
    from app.documents.index import Indexer
    from app.documents.retrieve import Retriever
    from app.documents.store import VectorStore

P = ParamSpec("P")
R = TypeVar("R")


def _llm_action(
    method: Callable[Concatenate[Advisor, P], R],
) -> Callable[Concatenate[Advisor, P], R]:
    """One user action: its LLM calls share one time budget (ADVISOR_LLM_BUDGET_SECONDS), and
    the audit of its result lists them."""

    @wraps(method)
    def run(self: Advisor, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with action(self.settings.llm_budget_seconds):
            return method(self, *args, **kwargs)

    return run


class Advisor:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        chat: object | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._chat = chat
        self._kb_ready = False
        self._chunks: dict[str, tuple[int, list[Chunk]]] = {}  # collection -> (generation, chunks)
        self._copies: dict[str, dict[str, str]] = {}  # collection -> {copy: original}

    # components, built on first use --------------------------------------------------------------

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or make_embedder(self.settings)

    @cached_property
    def store(self) -> VectorStore:
        from app.documents.store import VectorStore

        return VectorStore(self.settings, self.embedder)

    @cached_property
    def sessions(self) -> SessionStore:
        if self.settings.database_url is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SessionStore(self.settings.session_url)

    @cached_property
    def gate(self) -> Gate:
        return Gate(self.settings, self.sessions)

    @cached_property
    def knowledge(self) -> Knowledge:
        return load_knowledge(self.settings.knowledge_dir.resolve())

    @cached_property
    def _indexer(self) -> Indexer:
        from app.assets import locate
        from app.documents.index import Indexer

        enc = encoding("cl100k_base", locate(self.settings.assets_dir).tiktoken_dir)
        chunker = Chunker(
            self.settings.chunk_size, self.settings.chunk_overlap, lambda t: count(t, enc)
        )
        return Indexer(
            self.store, chunker, self.settings.max_chunks, self.settings.max_file_seconds
        )

    @cached_property
    def _retriever(self) -> Retriever:
        from app.documents.retrieve import Retriever

        return Retriever(self.store, self.settings.data_dir / "lexical")

    @cached_property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(
            s.max_file_bytes,
            s.max_pages,
            s.max_unpacked_bytes,
            s.max_file_seconds,
            s.max_file_chars,
            s.max_sections,
            s.max_paragraphs,
            s.ocr,
            s.ocr_max_pages,
        )

    @cached_property
    def reader(self) -> Reader:
        return Reader(self.knowledge.lexicon)

    @cached_property
    def detector(self) -> EvidenceReader:
        from app.assets import locate, locate_reader

        model, meta = locate_reader()
        tokenizer = locate(self.settings.assets_dir).tokenizer
        return EvidenceReader(
            self.knowledge.catalog, self.embedder, self.reader, ReaderModel(model, meta, tokenizer)
        )

    @cached_property
    def interviewer(self) -> Interviewer:
        return Interviewer(
            self.knowledge.catalog,
            self.knowledge.interview,
            self.reader,
            self.detector,
            self.settings.interview_max_questions,
        )

    @cached_property
    def planner(self) -> Planner:
        return Planner(self.knowledge, self.embedder, self.store)

    @property
    def engine_name(self) -> str:
        """The engine's name, as ``engine.name`` will give it, without building the engine."""
        choice = self.settings.llm.strip()
        return choice if choice == "offline" else choice.replace(" ", "")

    @cached_property
    def engine(self) -> OfflineEngine:
        """The engine ``ADVISOR_LLM`` names; unknown names list the valid ones."""
        choice = self.settings.llm.strip()
        if choice == "offline":
            return OfflineEngine(self.knowledge, self.embedder, self.detector)
        provider, _, model = choice.partition(":")
        if provider == "openai" and model:
            from app.llm.online import Chat, LLMEngine

            chat = self._chat
            if chat is None:
                from app.llm.openai_chat import OpenAIChat

                chat = OpenAIChat(
                    model=model,
                    api_key=self.settings.openai_api_key,
                    base_url=self.settings.openai_base_url,
                    timeout=self.settings.llm_timeout,
                    retries=self.settings.llm_retries,
                    seed=self.settings.llm_seed,
                )
            from app.assets import locate
            from app.llm.redact import Redactor

            redactor = Redactor(self.settings.redact_patterns) if self.settings.redact else None
            enc = encoding("cl100k_base", locate(self.settings.assets_dir).tiktoken_dir)
            llm = LLMEngine(
                cast(Chat, chat),
                self.knowledge,
                self.settings.prompts_dir,
                redactor,
                count=lambda text: count(text, enc),
                budget=self.settings.llm_budget_seconds,
            )
            return LLMEngineAdapter(self.knowledge, self.embedder, self.detector, llm)
        raise ConfigError(f"Unknown ADVISOR_LLM={choice!r}; valid: {', '.join(ENGINES)}.")

    def warm(self) -> None:
        """Load what the first request would, and clean up documents left half-indexed."""
        self.recover_documents()
        self._warm()

    def _warm(self) -> None:
        """Do the one-off work now (model, sign vectors, knowledge index) instead of later."""
        self.ensure_knowledge()
        self.reader.warm()
        self.detector.warm()
        self.interviewer.warm()
        self.planner.warm()

    # knowledge base ------------------------------------------------------------------------------

    def index_knowledge(self, progress: Progress | None = None) -> int:
        """Index ``knowledge/playbooks`` (idempotent). Returns the chunk count."""
        name = self.store.name_for(None)
        documents = [playbook_document(b) for b in self.knowledge.playbooks]
        return self._indexer.sync(documents, name, progress)

    def knowledge_indexed(self) -> bool:
        if not self._kb_ready:
            self._kb_ready = self.store.count(self.store.name_for(None)) > 0
        return self._kb_ready

    def ensure_knowledge(self, progress: Progress | None = None) -> None:
        """Index the knowledge base on first use of a fresh data dir."""
        if not self.knowledge_indexed():
            self.index_knowledge(progress)

    # documents -----------------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path],
        workspace: str = DEFAULT_WORKSPACE,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> list[IngestReport]:
        """Ingest files into a workspace's collection. A refused file never stops the others."""
        self._guard_collection(workspace, user, "write")
        reports = []
        for number, path in enumerate(paths, start=1):
            if progress:
                progress(number, len(paths), display_name(path.name))
            reports.append(
                self._ingest_one(str(path), partial(parse_file, path, self.limits), workspace)[0]
            )
        if any(r.status == "indexed" for r in reports):  # the lexical index, once per batch
            self._retriever.refresh(self.store.name_for(workspace))
        return reports

    def ingest_upload(
        self, name: str, data: bytes, workspace: str, user: str | None = None
    ) -> IngestReport:
        self._guard_collection(workspace, user, "write")
        report = self._ingest_one(name, lambda: parse_bytes(data, name, self.limits), workspace)[0]
        if report.status == "indexed":
            self._retriever.refresh(self.store.name_for(workspace))
        return report

    def _ingest_one(
        self, label: str, parse: Callable[[], ParsedDocument], workspace: str
    ) -> tuple[IngestReport, ParsedDocument | None]:
        started = time.monotonic()  # one clock for parsing, chunking and embedding
        try:
            document = parse()
            chunks = self._indexer.add(document, self.store.name_for(workspace), started)
        except IngestError as err:
            log.info("refused %s: %s", label, err)
            return IngestReport(path=label, status="refused", error=str(err)), None
        except OSError as err:  # one file the system will not read never stops the batch
            error = str(UnreadableFile(display_name(label), err.strerror))
            return IngestReport(path=label, status="refused", error=error), None
        report = IngestReport(path=label, status="indexed", chunks=chunks, pages=document.pages)
        return report, document

    def add_document(
        self, workspace_id: str, name: str, data: bytes, user: str | None = None
    ) -> DocumentRecord:
        """Ingest an uploaded file into a workspace and record it, indexed or refused.

        The record comes first ("indexing"), the chunks after, and the record turns "indexed"
        last: a crash in between leaves a record that ``recover_documents`` cleans up, never
        chunks nobody can see or remove."""
        self._guard(workspace_id, user, "write")
        record = DocumentRecord(
            id=hashlib.sha1(f"{workspace_id}/{name}".encode()).hexdigest()[:16],
            workspace_id=workspace_id,
            source=display_name(name),
            sha256=None,
            status="indexing",
            created=now(),
        )
        started = time.monotonic()  # one clock for parsing, chunking and embedding
        try:
            document = parse_bytes(data, name, self.limits)
        except IngestError as err:
            log.info("refused %s: %s", name, err)
            return self.sessions.add_document(
                record.model_copy(update={"status": "refused", "error": str(err)})
            )
        record = record.model_copy(update={"source": document.source, "sha256": document.sha256})
        self.sessions.add_document(record)
        try:
            chunks = self._indexer.add(document, self.store.name_for(workspace_id), started)
        except IngestError as err:
            self._indexer.remove_source(self.store.name_for(workspace_id), document.source)
            return self.sessions.add_document(
                record.model_copy(update={"status": "refused", "error": str(err)})
            )
        self._retriever.refresh(self.store.name_for(workspace_id))
        return self.sessions.add_document(
            record.model_copy(
                update={"status": "indexed", "chunks": chunks, "pages": document.pages}
            )
        )

    def recover_documents(self, older_than_seconds: float | None = None) -> int:
        """Clean up documents whose indexing never finished (the app stopped mid-way): their
        chunks are removed and the record says to upload the file again. Records younger than
        the longest a file may take are left alone, as another process may still be at work."""
        wait = older_than_seconds
        if wait is None:
            wait = 2 * self.settings.max_file_seconds
        cutoff = datetime.now(UTC) - timedelta(seconds=wait)
        count = 0
        for record in self.sessions.documents_in("indexing"):
            if datetime.fromisoformat(record.created) > cutoff:
                continue
            self._indexer.remove_source(self.store.name_for(record.workspace_id), record.source)
            self.sessions.add_document(
                record.model_copy(
                    update={
                        "status": "refused",
                        "chunks": 0,
                        "error": "Reading this file was interrupted (the app stopped). "
                        "Nothing of it is used; upload it again.",
                    }
                )
            )
            count += 1
        return count

    def documents(self, workspace_id: str, user: str | None = None) -> list[DocumentRecord]:
        self.workspace(workspace_id, user)
        return self.sessions.documents(workspace_id)

    def remove_document(self, workspace_id: str, source: str, user: str | None = None) -> int:
        self._guard(workspace_id, user, "write")
        removed = self._indexer.remove_source(self.store.name_for(workspace_id), source)
        self.sessions.remove_document(workspace_id, source)
        return removed

    # retrieval -----------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        workspace: str | None = DEFAULT_WORKSPACE,
        k: int | None = None,
        kind: SourceKind | None = None,
        user: str | None = None,
    ) -> list[SearchResult]:
        if workspace is None:
            self.gate.check_account(user)
        else:
            self._guard_collection(workspace, user, "read")
        self.ensure_knowledge()
        return self._retriever.search(
            query, workspace=workspace, kind=kind, k=k or self.settings.search_k
        )

    # workspaces and stakeholders -----------------------------------------------------------------

    def create_workspace(
        self, name: str, user: str | None = None, pilot: dict[str, object] | None = None
    ) -> Workspace:
        self.gate.check_account(user)
        clean = " ".join(name.split())[:200]
        if not clean:
            raise ConfigError("Give the pilot a name.")
        return self.sessions.create_workspace(clean, owner=user, pilot=dict(pilot or {}))

    def workspaces(self, user: str | None = None) -> list[Workspace]:
        if user is not None and user.startswith(STAKEHOLDER):
            return []
        if user is None and self.gate.protected:
            return []
        return self.sessions.workspaces(user)

    def workspace(self, workspace_id: str, user: str | None = None) -> Workspace:
        """The workspace, if ``user`` may read it."""
        return self._guard(workspace_id, user, "read")

    def role(self, workspace_id: str, user: str | None = None) -> str:
        """``user``'s role in the pilot: owner, viewer (or owner in local mode)."""
        self._guard(workspace_id, user, "read")
        return "owner" if user is None else self.sessions.role(workspace_id, user) or "viewer"

    def _guard(self, workspace_id: str, user: str | None, need: Need) -> Workspace:
        """The one access check: every call about a pilot goes through it."""
        found = self.sessions.workspace(workspace_id)
        if found is None:
            raise NotFound(f"No pilot workspace {workspace_id!r}; pick one from the list.")
        self.gate.check(workspace_id, user, need)
        return found

    def _guard_collection(self, workspace: str, user: str | None, need: Need) -> None:
        """A document collection: a pilot's when it names one, else the caller's own."""
        if self.sessions.workspace(workspace) is not None:
            self._guard(workspace, user, need)
        else:
            self.gate.check_account(user)
            if self.gate.protected:
                raise AccessDenied("Documents belong to a pilot: pick one you may use.")

    def _guard_interview(self, stakeholder_id: str, user: str | None, need: Need) -> Stakeholder:
        """A stakeholder, if ``user`` may ``need`` their interview (``Gate.check_interview``)."""
        found = self.sessions.stakeholder(stakeholder_id)
        if found is None:
            raise NotFound(f"No stakeholder {stakeholder_id!r}; add them to the pilot first.")
        self.gate.check_interview(found.workspace_id, stakeholder_id, user, need)
        return found

    def add_stakeholder(
        self, workspace_id: str, name: str, role: str, user: str | None = None
    ) -> Stakeholder:
        self._guard(workspace_id, user, "write")
        name, role = " ".join(name.split())[:200], " ".join(role.split())[:200]
        if not name or not role:
            raise ConfigError("Give the stakeholder's name and role.")
        return self.sessions.add_stakeholder(
            workspace_id, name, role, role_id(role, self.knowledge.lexicon)
        )

    def stakeholders(self, workspace_id: str, user: str | None = None) -> list[Stakeholder]:
        self.workspace(workspace_id, user)
        return self.sessions.stakeholders(workspace_id)

    def stakeholder(self, stakeholder_id: str, user: str | None = None) -> Stakeholder:
        return self._guard_interview(stakeholder_id, user, "read")

    def turns(self, stakeholder_id: str, user: str | None = None) -> list[Turn]:
        self._guard_interview(stakeholder_id, user, "read")
        return self.sessions.turns(stakeholder_id)

    # interview -----------------------------------------------------------------------------------

    @_llm_action
    def start_interview(self, stakeholder_id: str, user: str | None = None) -> TurnResult:
        """The question waiting for the stakeholder: the first one, or the open one."""
        person = self._guard_interview(stakeholder_id, user, "interview")
        turns = self.sessions.turns(stakeholder_id)
        if turns and turns[-1].role == "advisor":
            return self._result(person, turns, None, turns[-1], [])
        return self._ask_next(person, turns, None)

    @_llm_action
    def answer(
        self,
        stakeholder_id: str,
        text: str,
        user: str | None = None,
        question: int | None = None,
    ) -> TurnResult:
        """Store the answer first, whole (it is never lost), then work out the next question.

        ``question`` is the index of the question the person saw: an answer typed in a second
        tab is tied to that question, not to whatever was asked since."""
        person = self._guard_interview(stakeholder_id, user, "interview")
        content = text.strip()
        if not content:
            raise ConfigError("Type an answer, or \u201cskip\u201d to pass on the question.")
        limit = self.settings.max_answer_chars
        if len(content) > limit:
            raise ConfigError(
                f"This answer is {len(content):,} characters; the limit is {limit:,} "
                "(ADVISOR_MAX_ANSWER_CHARS). Nothing was saved: split it into shorter answers, "
                "or upload it as a document on the Documents page."
            )
        turns = self.sessions.turns(stakeholder_id)
        open_question = turns[-1] if turns and turns[-1].role == "advisor" else None
        asked = open_question
        if question is not None:
            asked = next(
                (t for t in turns if t.index == question and t.role == "advisor"), open_question
            )
        stored = self.sessions.append_turn(
            Turn(
                stakeholder_id=stakeholder_id,
                index=len(turns),
                role="stakeholder",
                content=content,
                kind="answer",
                probe_id=asked.probe_id if asked else None,
                pattern=asked.pattern if asked else None,
                created=now(),
                answers=asked.index if asked else None,
            )
        )
        kind = self.interviewer.reply_kind(content)  # read only once the answer is safe
        language = self.reader.foreign(content)
        unread = (
            [
                f"Not read: this answer is in {language}, and the advisor reads English only. "
                "It is saved, and the assessment lists it for a person to read."
            ]
            if language
            else []
        )
        if kind != "answer" and stored.id is not None:
            self.sessions.set_turn_kind(stored.id, kind)
            stored = stored.model_copy(update={"kind": kind})
        if asked is not None and open_question is not None and asked.index != open_question.index:
            # Answered an earlier question (another tab): the open one still waits.
            latest = self.sessions.turns(stakeholder_id)
            notice = (
                "Your answer was saved with the question you saw. Another window had moved "
                "on; the current question is below."
            )
            return self._result(person, latest, stored, open_question, [notice, *unread])
        result = self._ask_next(person, [*turns, stored], stored)
        return result.model_copy(update={"notices": [*unread, *result.notices]})

    def delete_answer(self, stakeholder_id: str, index: int, user: str | None = None) -> None:
        """Remove one of a stakeholder's answers (the pilot's owner only): it no longer counts
        as evidence; the question stays in the transcript."""
        person = self._guard_interview(stakeholder_id, user, "write")
        if not self.sessions.delete_turn(stakeholder_id, index):
            raise NotFound(f"No answer at position {index} in {person.name}'s interview.")
        self.sessions.log(user, "answer-deleted", f"workspace:{person.workspace_id}", person.name)

    def finish_interview(self, stakeholder_id: str, user: str | None = None) -> TurnResult:
        return self.answer(stakeholder_id, "finish", user)

    def _ask_next(self, person: Stakeholder, turns: list[Turn], stored: Turn | None) -> TurnResult:
        states, notices = self._slot_states(person, turns)
        question = self.interviewer.next_question(turns, person.role_id, states, person.role)
        text, phrased = self.engine.phrase(question, person.role, _recent(turns))
        asked = self.sessions.append_turn(
            Turn(
                stakeholder_id=person.id,
                index=len(turns),
                role="advisor",
                content=text,
                kind=question.kind,
                probe_id=question.probe_id,
                pattern=question.pattern,
                created=now(),
            )
        )
        if question.kind == "closing":
            self.sessions.set_finished(person.id, True)
        return self._result(person, turns, stored, asked, notices + phrased, states)

    def _result(
        self,
        person: Stakeholder,
        turns: list[Turn],
        stored: Turn | None,
        asked: Turn,
        notices: list[str],
        states: list[SlotState] | None = None,
    ) -> TurnResult:
        if states is None:
            states, _ = self._slot_states(person, turns)
        slots = self.interviewer.slot_counts(states)
        return TurnResult(
            answer=stored,
            question=asked,
            coverage={p: round(f / t, 2) for p, (f, t) in slots.items()},
            slots={p: [f, t] for p, (f, t) in slots.items()},
            finished=asked.kind == "closing",
            notices=notices,
        )

    def coverage(self, stakeholder_id: str, user: str | None = None) -> dict[str, tuple[int, int]]:
        """Slots filled and slots in all, per pattern, as this stakeholder's interview sees
        them (filled by anyone: this person, the others, the documents)."""
        person = self.stakeholder(stakeholder_id, user)
        states, _ = self._slot_states(person, self.sessions.turns(stakeholder_id))
        return self.interviewer.slot_counts(states)

    def _slot_states(
        self, person: Stakeholder, turns: Sequence[Turn]
    ) -> tuple[list[SlotState], list[str]]:
        """The interview's slots: what this person, the others and the documents filled."""
        answers, notices = self._answer_detection(person, turns)
        others, more = self._others_detection(person)
        return self.interviewer.slots(turns, answers, others), notices + more

    def _others_detection(self, person: Stakeholder) -> tuple[Detection, list[str]]:
        """What the pilot's documents and its other stakeholders said: slots they filled need
        not be asked again."""
        documents, notices = self._document_detection(person.workspace_id)
        units: list[TextUnit] = []
        for other in self.sessions.stakeholders(person.workspace_id):
            if other.id != person.id:
                units += self._turn_units(self.sessions.turns(other.id), other.name, other.role)
        if not units:
            return documents, notices
        spoken, more = self.engine.detect(units)
        return merge([documents, spoken]), notices + more

    # evidence ------------------------------------------------------------------------------------

    def _turn_units(
        self, turns: Sequence[Turn], speaker: str | None, role: str | None
    ) -> list[TextUnit]:
        units = []
        question: Turn | None = None
        asked = {t.index: t for t in turns if t.role == "advisor"}
        for turn in turns:
            if turn.role == "advisor":
                question = turn
                continue
            if turn.kind in ("skip", "finish"):
                continue
            # The question it answers, by id; older turns by position.
            own = asked.get(turn.answers, question) if turn.answers is not None else question
            units.append(
                TextUnit(
                    text=turn.content,
                    source=TurnRef(turn=turn.index, speaker=speaker, role=role),
                    question=own.content if own else None,
                    question_pattern=own.pattern if own else None,
                )
            )
        return units

    def _answer_detection(
        self, person: Stakeholder, turns: Sequence[Turn]
    ) -> tuple[Detection, list[str]]:
        return self.engine.detect(self._turn_units(turns, person.name, person.role))

    def _document_units(self, workspace: str, sources: set[str] | None = None) -> list[TextUnit]:
        """Every chunk of the workspace's documents, less documents whose text repeats an
        earlier one's (``copies``)."""
        name = self.store.name_for(workspace)
        if not self.store.exists(name):
            return []
        generation = self.store.generation(name)
        cached = self._chunks.get(name)
        if cached is None or cached[0] != generation:
            chunks = self.store.all_chunks(name)
            chunks.sort(key=lambda c: (c.source, c.page or 0, c.index))
            self._chunks[name] = (generation, chunks)
            self._copies[name] = same_text(chunks)
        chunks = self._chunks[name][1]
        copies = self._copies[name]
        return [
            TextUnit(
                text=c.text,
                source=ChunkRef(file=c.source, page=c.page, chunk_id=c.chunk_id, ocr=c.ocr),
                section=c.section,
            )
            for c in chunks
            if (sources is None or c.source in sources) and c.source not in copies
        ]

    def _copy_findings(self, workspace: str, sources: set[str] | None = None) -> list[Finding]:
        copies = self._copies.get(self.store.name_for(workspace), {})
        return [
            Finding(
                kind="duplicate",
                text=f"{copy} has the same text as {original}, so its evidence is counted once.",
            )
            for copy, original in copies.items()
            if sources is None or copy in sources
        ]

    def _document_detection(
        self, workspace: str, sources: set[str] | None = None
    ) -> tuple[Detection, list[str]]:
        """Evidence from the workspace's documents; if the vector store is unreachable, the
        interview goes on without them and says so."""
        try:
            units = self._document_units(workspace, sources)
        except StoreError as exc:
            log.warning("documents left out: %s", exc)
            return Detection(), [
                "The document store cannot be reached, so uploaded documents are left out "
                "until it is back. Your answers are saved."
            ]
        return self.engine.detect(units)

    def _assess_units(
        self, units: list[TextUnit], documents: dict[str, str], extra: list[Finding]
    ) -> Assessment:
        detection, notices = self.engine.detect(units)
        conflicts = scoring.contradictions(
            detection.evidence, detection.vector, self.knowledge.catalog
        )
        patterns = scoring.score(
            self.knowledge.catalog,
            detection.evidence,
            self.settings.risk_medium,
            self.settings.risk_high,
            contradicted=[f.pattern for f in conflicts if f.pattern],
        )
        findings = [*extra, *_dedupe(detection.findings), *conflicts, *self._unread(units)]
        return Assessment(
            engine=self.engine.name,
            patterns=patterns,
            findings=findings,
            audit=self._audit(documents, notices),
        )

    def _unread(self, units: Sequence[TextUnit]) -> list[Finding]:
        """Answers and documents in a language the reader does not read: saved, and said."""
        out: list[Finding] = []
        files: set[str] = set()
        for unit in units:
            language = self.reader.foreign(unit.text)
            if language is None:
                continue
            if isinstance(unit.source, ChunkRef):
                if unit.source.file in files:
                    continue
                files.add(unit.source.file)
            out.append(
                Finding(
                    kind="language",
                    text=f"{unit.source.label()} is in {language}; the advisor reads English "
                    "only, so it gives no evidence. It is saved: read it yourself, or add an "
                    "English version.",
                )
            )
        return out

    def _audit(self, documents: dict[str, str], notices: list[str]) -> Audit:
        return Audit(
            engine=self.engine.name,
            model=self.engine.model_id,
            prompts=self.engine.prompts_used(),
            knowledge_version=self.knowledge.version,
            documents=documents,
            created=now(),
            notices=notices,
            llm_calls=current_calls(),
        )

    def read_answer(self, question: str, answer: str) -> list[Evidence]:
        """The evidence the interview reads in one answer to one question."""
        unit = TextUnit(text=answer, source=TurnRef(turn=1), question=question)
        detection, _ = self.engine.detect([unit])
        return detection.evidence

    def read(self, pairs: Sequence[tuple[str, str]]) -> list[list[tuple[str, str, float]]]:
        """``(context, sentence)`` pairs -> the evidence the reader finds in each sentence:
        ``(pattern, "warning" | "healthy", probability)``, strongest first."""
        model = self.detector.model
        return [model.labels(reading) for reading in model.read(pairs)]

    # assessment and plan for a workspace ---------------------------------------------------------

    def _workspace_units(self, workspace_id: str) -> list[TextUnit]:
        units: list[TextUnit] = []
        for person in self.sessions.stakeholders(workspace_id):
            turns = self.sessions.turns(person.id)
            units += self._turn_units(turns, person.name, person.role)
        return units + self._document_units(workspace_id)

    @_llm_action
    def assess(self, workspace_id: str, user: str | None = None) -> Assessment:
        """The pilot's assessment now, computed from what is stored (readings are cached):
        viewing it writes nothing. It is saved with the plan, when the plan is drafted."""
        self._guard(workspace_id, user, "write")
        units = self._workspace_units(workspace_id)
        docs = {
            d.source: d.sha256 or ""
            for d in self.sessions.documents(workspace_id)
            if d.status == "indexed"
        }
        return self._assess_units(units, docs, self._copy_findings(workspace_id))

    @_llm_action
    def plan(self, workspace_id: str, user: str | None = None) -> Plan:
        """Draft the plan and save it, with the assessment it rests on."""
        plan = self._draft(workspace_id, user)
        self.sessions.save_draft(workspace_id, "assessment", plan.assessment.model_dump_json())
        self.sessions.save_draft(workspace_id, "plan", plan.model_dump_json())
        return plan

    def _draft(self, workspace_id: str, user: str | None) -> Plan:
        workspace = self._guard(workspace_id, user, "write")
        assessment = self.assess(workspace_id, user)
        stakeholders = self.sessions.stakeholders(workspace_id)
        people = [self._person(p.name, p.role, p.role_id) for p in stakeholders]
        return self._plan_for(
            assessment,
            {"name": workspace.name, **workspace.pilot},
            self._workspace_units(workspace_id),
            people,
        )

    def latest_plan(self, workspace_id: str, user: str | None = None) -> Plan | None:
        self.workspace(workspace_id, user)
        body = self.sessions.latest_draft(workspace_id, "plan")
        return Plan.model_validate_json(body) if body else None

    def latest_assessment(self, workspace_id: str, user: str | None = None) -> Assessment | None:
        self.workspace(workspace_id, user)
        body = self.sessions.latest_draft(workspace_id, "assessment")
        return Assessment.model_validate_json(body) if body else None

    # the pilot profile ---------------------------------------------------------------------------

    def set_profile(
        self, workspace_id: str, fields: dict[str, object], user: str | None = None
    ) -> PilotProfile:
        """Store what the consultant says about the pilot; the reader never overrides it."""
        workspace = self._guard(workspace_id, user, "write")
        pilot = dict(workspace.pilot)
        pilot["profile"] = {
            k: v for k, v in fields.items() if k in PROFILE_FIELDS and v not in (None, "", [])
        }
        checked = stated_profile(pilot)
        pilot["profile"] = checked.model_dump(include=set(checked.stated))
        self.sessions.update_pilot(workspace_id, pilot)
        return self.profile(workspace_id, user)

    def profile(self, workspace_id: str, user: str | None = None) -> PilotProfile:
        """The stated profile, with open fields filled from answers and documents."""
        workspace = self.workspace(workspace_id, user)
        units = self._workspace_units(workspace_id)
        return infer_profile(
            {"name": workspace.name, **workspace.pilot},
            _passages(units, self.reader),
            self.knowledge.plan,
        )

    def _person(self, name: str, title: str | None, known_role: str | None = None) -> Person:
        title = title or ""
        return Person(
            name=name,
            title=title,
            role_id=known_role or role_id(title, self.knowledge.lexicon),
            home=frozenset(self.interviewer.home_patterns(title)),
        )

    def _slots_of(self, assessment: Assessment) -> dict[int, str]:
        """Which slot each item of evidence sits in, as the interviewer places it."""
        evidence = [e for p in assessment.patterns for e in p.evidence]
        if not evidence:
            return {}
        vectors = self.embedder.embed([e.quote for e in evidence])
        detection = Detection(
            evidence=evidence, vectors={id(e): v for e, v in zip(evidence, vectors, strict=True)}
        )
        states = self.interviewer.slots([], detection, Detection())
        return {id(e): state.slot.id for state in states for e in state.own}

    def _plan_for(
        self,
        assessment: Assessment,
        pilot: dict[str, object],
        units: Sequence[TextUnit] = (),
        people: Sequence[Person] = (),
    ) -> Plan:
        self.ensure_knowledge()
        profile = infer_profile(pilot, _passages(units, self.reader), self.knowledge.plan)
        context = Context(
            profile=profile,
            people=people,
            slot_of=self._slots_of(assessment),
            role_of=lambda title: role_id(title, self.knowledge.lexicon),
            today=date.today(),
        )
        phases, verdict, notices = self.planner.draft(assessment, context)
        pilot_text = json.dumps(pilot, ensure_ascii=False, default=str)
        cited = [c.chunk_id for phase in phases for item in phase.items for c in item.citations]
        found = self.store.get(self.store.name_for(None), cited) if cited else []
        texts = {c.chunk_id: c.text for c in found}
        passages = {
            item.id: {c.chunk_id: texts.get(c.chunk_id, "") for c in item.citations}
            for phase in phases
            for item in phase.items
        }
        rationales, more = self.engine.rationales(pilot_text, phases, passages)
        notices += more
        for phase in phases:
            for item in phase.items:
                if item.id in rationales:
                    item.rationale = rationales[item.id]
        summary, more = self.engine.summary(pilot_text, assessment, phases)
        notices += more
        summary, more = self._clean(summary)
        notices += more
        executive, more = self._clean(
            executive_summary(verdict, profile, assessment, phases, self.knowledge)
        )
        notices += more
        audit = assessment.audit.model_copy(
            update={
                "notices": [*assessment.audit.notices, *notices],
                "prompts": self.engine.prompts_used(),
                "created": now(),
                "llm_calls": current_calls(),
            }
        )
        return Plan(
            pilot=pilot,
            verdict=verdict,
            profile=profile,
            executive_summary=executive,
            assessment=assessment,
            summary=summary,
            phases=phases,
            audit=audit,
        )

    def _clean(self, text: str) -> tuple[str, list[str]]:
        """Remove sentences that repeat a do-not-cite figure, and say so."""
        violations = find_banned(text, self.knowledge.banned)
        if not violations:
            return text, []
        kept = [s for s in text.split(". ") if not find_banned(s, self.knowledge.banned)]
        return ". ".join(kept), [
            "A sentence repeating a figure that must not be cited was removed from the draft."
        ]

    # questions -----------------------------------------------------------------------------------

    @_llm_action
    def ask(self, workspace_id: str | None, question: str, user: str | None = None) -> Answer:
        """Answer a free question from the playbooks and the workspace's documents, cited."""
        if workspace_id is not None:
            self.workspace(workspace_id, user)
        else:
            self.gate.check_account(user)
        text = question.strip()
        if not text:
            raise ConfigError("Type a question.")
        if workspace_id is not None and asks_about_going_live(text):
            if self.role(workspace_id, user) == "owner":  # today's answer, not saved
                plan: Plan | None = self._draft(workspace_id, user)
            else:
                plan = self.latest_plan(workspace_id, user)
            if plan is None:
                raise NotFound("No plan has been drafted yet; ask the pilot's owner to draft one.")
            return verdict_answer(plan, text, self.engine.name, date.today())
        results = self.search(text, workspace=workspace_id, k=6, user=user)
        chunks = self._chunks_for(results, workspace_id)
        answer, notices = self.engine.answer(text, chunks)
        body, more = self._clean(answer.text)
        return answer.model_copy(update={"text": body, "notices": notices + more})

    def _chunks_for(self, results: Sequence[SearchResult], workspace: str | None) -> list[Chunk]:
        out: list[Chunk] = []
        for r in results:
            name = self.store.name_for(None if r.kind is SourceKind.PLAYBOOK else workspace)
            out += self.store.get(name, [r.chunk_id])
        return out

    def passage(
        self, chunk_id: str, workspace_id: str | None = None, user: str | None = None
    ) -> Chunk | None:
        """The stored chunk a citation points at, from the playbooks or the workspace."""
        names = [self.store.name_for(None)]
        if workspace_id is not None:
            self.workspace(workspace_id, user)
            names.append(self.store.name_for(workspace_id))
        else:
            self.gate.check_account(user)
        for name in names:
            if self.store.exists(name):
                found = self.store.get(name, [chunk_id])
                if found:
                    return found[0]
        return None

    def export(self, workspace_id: str, fmt: str, user: str | None = None) -> bytes:
        """The pilot's latest plan as a file in ``fmt`` (json, md, pdf, docx or csv)."""
        from app.io.export import export

        plan = self.latest_plan(workspace_id, user)
        if plan is None:
            raise NotFound("No plan has been drafted yet: draft it on the Plan page first.")
        body = export(plan, fmt)
        self.sessions.log(user, "export", f"workspace:{workspace_id}", fmt)
        return body

    # views: where a browser session was, so a refresh or a restart returns there ------------------

    def save_view(self, view_id: str, state: dict[str, object], user: str | None = None) -> None:
        """Store a browser session's place; a view saved by someone else is never rewritten."""
        found = self.sessions.view(view_id)
        if found is not None and found[1] != user:
            raise AccessDenied("This page link belongs to someone else; a new one was opened.")
        self.sessions.save_view(view_id, state, user)

    def view(self, view_id: str, user: str | None = None) -> dict[str, object]:
        """A saved place, or AccessDenied when someone else saved it."""
        found = self.sessions.view(view_id)
        if found is None:
            return {}
        state, owner = found
        if owner != user:
            raise AccessDenied("This page link belongs to someone else; a new one was opened.")
        return state

    # sharing and interview links ----------------------------------------------------------------

    def share(
        self, workspace_id: str, with_user: str, role: str = "viewer", user: str | None = None
    ) -> str:
        """Give an account a role in this pilot (``owner`` or ``viewer``); its name."""
        self._guard(workspace_id, user, "write")
        if role not in ("owner", "viewer"):
            raise ConfigError("Share as owner or viewer; stakeholders get an interview link.")
        name = account_name(with_user)
        if self.settings.accounts and self.sessions.user(name) is None:
            raise NotFound(
                f"No account {name!r}. An admin creates it first: advisor user add {name}"
            )
        self.sessions.grant(workspace_id, name, role)
        self.sessions.log(user, "share", f"workspace:{workspace_id}", f"{name} as {role}")
        return name

    def invite(self, stakeholder_id: str, user: str | None = None) -> str:
        """A private link token that opens only this stakeholder's interview."""
        person = self._guard_interview(stakeholder_id, user, "write")
        token = self.gate.invite(stakeholder_id, user, self.settings.invite_days)
        self.sessions.log(user, "invite", f"workspace:{person.workspace_id}", person.name)
        return token

    def revoke_invites(self, stakeholder_id: str, user: str | None = None) -> int:
        """Withdraw every link sent to this stakeholder."""
        person = self._guard_interview(stakeholder_id, user, "write")
        count = self.sessions.revoke_invites(stakeholder_id)
        self.sessions.log(user, "revoke", f"workspace:{person.workspace_id}", person.name)
        return count

    def invite_status(self, stakeholder_id: str, user: str | None = None) -> str:
        """In plain words: no link, link sent (not opened), opened, withdrawn, expired. For the
        pilot's people, not for the stakeholder's own link."""
        self._guard_interview(stakeholder_id, user, "read")
        self.gate.check_account(user)
        rows = self.sessions.invites_of(stakeholder_id)
        if not rows:
            return "no link sent"
        last = rows[-1]
        if last["revoked"]:
            return "link withdrawn"
        if datetime.fromisoformat(last["expires"]) <= datetime.now(UTC):
            return "link expired"
        return "link opened" if last["used"] else "link sent, not opened yet"

    def redeem(self, token: str) -> str:
        """The principal an interview link stands for (``stakeholder:<id>``)."""
        principal = self.gate.redeem(token)
        self.sessions.log(principal, "link-opened", principal)
        return principal

    def sign_in(self, name: str, password: str, client: str = "unknown") -> str:
        return self.gate.sign_in(name, password, client)

    def audit_trail(self, workspace_id: str, user: str | None = None) -> list[dict[str, object]]:
        self._guard(workspace_id, user, "write")
        return self.sessions.audit_trail(f"workspace:{workspace_id}")

    # transcripts (CLI and evals): no session needed ----------------------------------------------

    @_llm_action
    def assess_transcript(
        self, transcript: Transcript, paths: Sequence[Path] = (), workspace: str | None = None
    ) -> Assessment:
        units, documents, extra = self._transcript_units(transcript, paths, workspace)
        return self._assess_units(units, documents, extra)

    def _check_transcript(self, transcript: Transcript) -> None:
        """Refuse, before any reading, a transcript over the turn or answer-length limits."""
        turns, limit = len(transcript.turns), self.settings.max_transcript_turns
        if turns > limit:
            raise ConfigError(
                f"The transcript has {turns:,} turns; the limit is {limit:,} "
                "(ADVISOR_MAX_TRANSCRIPT_TURNS). Split it into one file per interview."
            )
        longest = self.settings.max_answer_chars
        for number, turn in enumerate(transcript.turns, start=1):
            if len(turn.content) > longest:
                raise ConfigError(
                    f"Turn {number} of the transcript is {len(turn.content):,} characters; the "
                    f"limit is {longest:,} (ADVISOR_MAX_ANSWER_CHARS). Split it into shorter "
                    "turns, or give the text as a document (--doc)."
                )

    def _transcript_units(
        self, transcript: Transcript, paths: Sequence[Path], workspace: str | None
    ) -> tuple[list[TextUnit], dict[str, str], list[Finding]]:
        self._check_transcript(transcript)
        units: list[TextUnit] = []
        question = None
        question_pattern = None
        for index, turn in enumerate(transcript.turns):
            if turn.role == "advisor":
                question = turn.content
                question_pattern = self.detector.question_pattern(turn.content)
                continue
            if self.interviewer.reply_kind(turn.content) in ("skip", "finish"):
                continue
            units.append(
                TextUnit(
                    text=turn.content,
                    source=TurnRef(turn=index, speaker=turn.speaker, role=turn.speaker_role),
                    question=question,
                    question_pattern=question_pattern,
                )
            )
        documents: dict[str, str] = {}
        extra: list[Finding] = []
        if paths:
            space = (
                workspace
                or "transcript-"
                + hashlib.sha1(
                    "|".join(sorted(str(p.resolve()) for p in paths)).encode()
                ).hexdigest()[:10]
            )
            sources = set()
            for path in paths:
                report, document = self._ingest_one(
                    str(path), partial(parse_file, path, self.limits), space
                )
                if document is None:
                    extra.append(Finding(kind="gap", text=f"Document refused: {report.error}"))
                    continue
                documents[document.source] = document.sha256
                sources.add(document.source)
            units += self._document_units(space, sources)
            extra += self._copy_findings(space, sources)
        return units, documents, extra

    @_llm_action
    def plan_transcript(
        self, transcript: Transcript, paths: Sequence[Path] = (), workspace: str | None = None
    ) -> Plan:
        units, documents, extra = self._transcript_units(transcript, paths, workspace)
        assessment = self._assess_units(units, documents, extra)
        people: dict[str, Person] = {}
        for turn in transcript.turns:
            if turn.role == "stakeholder" and turn.speaker and turn.speaker not in people:
                title = turn.speaker_role or _in_brackets(turn.speaker)
                people[turn.speaker] = self._person(turn.speaker, title)
        return self._plan_for(assessment, dict(transcript.pilot), units, list(people.values()))


def _passages(units: Sequence[TextUnit], language: Reader) -> list[Passage]:
    """What the profile may be read from: answers, and document paragraphs that are not
    addressed to an AI (nor the payload after such text)."""
    out = []
    for unit in units:
        if isinstance(unit.source, ChunkRef):
            text = "\n\n".join(
                p for _, p, flagged in paragraphs(unit.text, language) if not flagged
            )
        else:
            text = unit.text
        if text.strip():
            out.append(Passage(text=text, source=unit.source.label()))
    return out


def _in_brackets(speaker: str) -> str | None:
    """ "Tomasz Wierzbicki (Claims Analytics Lead)" -> "Claims Analytics Lead"."""
    match = re.search(r"\(([^()]+)\)\s*$", speaker)
    return match.group(1) if match else None


def _recent(turns: Sequence[Turn], count: int = 4) -> str:
    lines = []
    for turn in turns[-count:]:
        who = "Advisor" if turn.role == "advisor" else "Stakeholder"
        lines.append(f"{who}: {turn.content}")
    return "\n".join(lines)


def same_text(chunks: Sequence[Chunk], least: float = 0.8) -> dict[str, str]:
    """Documents whose sentences are (nearly) all another document's: {copy: original}.
    The same report as .md and .docx differs in markup and chunk boundaries, not in words."""
    texts: dict[str, set[str]] = {}
    for chunk in chunks:
        bag = texts.setdefault(chunk.source, set())
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", chunk.text):
            words = " ".join(re.findall(r"[a-z0-9]+", sentence.lower()))
            if len(words) > 15:
                bag.add(words)
    copies: dict[str, str] = {}
    kept: list[str] = []
    for source in sorted(texts):
        bag = texts[source]
        for original in kept:
            other = texts[original]
            if bag and len(bag & other) / len(bag | other) >= least:
                copies[source] = original
                break
        else:
            kept.append(source)
    return copies


def _dedupe(findings: Sequence[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        key = f"{finding.kind}:{finding.text}"
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
