"""Pilot documents: ``(files, workspace) -> IngestReport / DocumentRecord``, and search.

A refused file never stops the others; a record comes before its chunks, so a crash leaves
nothing nobody can see or remove (``recover_documents``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from app.documents.ingest import display_name, parse_bytes, parse_file
from app.errors import (
    IngestError,
    UnreadableFile,
)
from app.schemas import (
    Chunk,
    DocumentRecord,
    IngestReport,
    ParsedDocument,
    SearchResult,
    SourceKind,
)
from app.service.components import DEFAULT_WORKSPACE, Components, Progress
from app.service.session_tables import now
from app.service.workspace import Workspaces

log = logging.getLogger(__name__)


class Documents:
    """Files -> indexed chunks of a pilot's collection, and the search over them."""

    def __init__(self, parts: Components, access: Workspaces) -> None:
        self.parts = parts
        self.access = access

    def ingest(
        self,
        paths: Sequence[Path],
        workspace: str = DEFAULT_WORKSPACE,
        progress: Progress | None = None,
        user: str | None = None,
    ) -> list[IngestReport]:
        """Ingest files into a workspace's collection. A refused file never stops the others."""
        self.access.collection(workspace, user, "write")
        reports = []
        for number, path in enumerate(paths, start=1):
            if progress:
                progress(number, len(paths), display_name(path.name))
            reports.append(
                self.ingest_one(str(path), partial(parse_file, path, self.parts.limits), workspace)[
                    0
                ]
            )
        if any(r.status == "indexed" for r in reports):  # the lexical index, once per batch
            self.parts.retriever.refresh(self.parts.store.name_for(workspace))
        return reports

    def ingest_upload(
        self, name: str, data: bytes, workspace: str, user: str | None = None
    ) -> IngestReport:
        self.access.collection(workspace, user, "write")
        report = self.ingest_one(
            name, lambda: parse_bytes(data, name, self.parts.limits), workspace
        )[0]
        if report.status == "indexed":
            self.parts.retriever.refresh(self.parts.store.name_for(workspace))
        return report

    def ingest_one(
        self, label: str, parse: Callable[[], ParsedDocument], workspace: str
    ) -> tuple[IngestReport, ParsedDocument | None]:
        started = time.monotonic()  # one clock for parsing, chunking and embedding
        try:
            document = parse()
            chunks = self.parts.indexer.add(document, self.parts.store.name_for(workspace), started)
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
        self.access.pilot(workspace_id, user, "write")
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
            document = parse_bytes(data, name, self.parts.limits)
        except IngestError as err:
            log.info("refused %s: %s", name, err)
            return self.parts.sessions.add_document(
                record.model_copy(update={"status": "refused", "error": str(err)})
            )
        record = record.model_copy(update={"source": document.source, "sha256": document.sha256})
        self.parts.sessions.add_document(record)
        try:
            chunks = self.parts.indexer.add(
                document, self.parts.store.name_for(workspace_id), started
            )
        except IngestError as err:
            self.parts.indexer.remove_source(
                self.parts.store.name_for(workspace_id), document.source
            )
            return self.parts.sessions.add_document(
                record.model_copy(update={"status": "refused", "error": str(err)})
            )
        self.parts.retriever.refresh(self.parts.store.name_for(workspace_id))
        return self.parts.sessions.add_document(
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
            wait = 2 * self.parts.settings.max_file_seconds
        cutoff = datetime.now(UTC) - timedelta(seconds=wait)
        count = 0
        for record in self.parts.sessions.documents_in("indexing"):
            if datetime.fromisoformat(record.created) > cutoff:
                continue
            self.parts.indexer.remove_source(
                self.parts.store.name_for(record.workspace_id), record.source
            )
            self.parts.sessions.add_document(
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
        self.access.workspace(workspace_id, user)
        return self.parts.sessions.documents(workspace_id)

    def remove_document(self, workspace_id: str, source: str, user: str | None = None) -> int:
        self.access.pilot(workspace_id, user, "write")
        removed = self.parts.indexer.remove_source(self.parts.store.name_for(workspace_id), source)
        self.parts.sessions.remove_document(workspace_id, source)
        return removed

    def search(
        self,
        query: str,
        workspace: str | None = DEFAULT_WORKSPACE,
        k: int | None = None,
        kind: SourceKind | None = None,
        user: str | None = None,
    ) -> list[SearchResult]:
        self.access.scope(workspace, user)
        self.parts.ensure_knowledge()
        return self.parts.retriever.search(
            query, workspace=workspace, kind=kind, k=k or self.parts.settings.search_k
        )

    def chunks_for(self, results: Sequence[SearchResult], workspace: str | None) -> list[Chunk]:
        out: list[Chunk] = []
        for r in results:
            name = self.parts.store.name_for(None if r.kind is SourceKind.PLAYBOOK else workspace)
            out += self.parts.store.get(name, [r.chunk_id])
        return out

    def passage(
        self, chunk_id: str, workspace_id: str | None = None, user: str | None = None
    ) -> Chunk | None:
        """The stored chunk a citation points at, from the playbooks or the workspace."""
        self.access.scope(workspace_id, user)
        names = [self.parts.store.name_for(None)]
        if workspace_id is not None:
            names.append(self.parts.store.name_for(workspace_id))
        for name in names:
            if self.parts.store.exists(name):
                found = self.parts.store.get(name, [chunk_id])
                if found:
                    return found[0]
        return None
