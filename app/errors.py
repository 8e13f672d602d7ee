"""One error hierarchy. Every message says what happened and what to do next.

AdvisorError
├── ConfigError            a setting is wrong or names an unknown provider
├── AssetError             model or tokenizer files missing or corrupt: run set-up again
├── StoreError             the vector store cannot be reached or used
├── SessionStoreError      the session database cannot be reached or used
├── NotFound               a workspace, stakeholder or document id does not exist
├── AccessDenied           the signed-in user may not see that workspace
├── LLMError               the LLM endpoint failed or answered with unusable output
└── IngestError            one file cannot be read; carries the file name
    ├── NotAFile
    ├── UnreadableFile
    ├── UnsupportedFileType
    ├── EmptyFile
    ├── FileTooLarge
    ├── TooManyPages
    ├── EncryptedFile
    ├── NoTextLayer
    ├── NoWords
    ├── OcrFoundNoText
    ├── OcrTooManyPages
    ├── OcrError
    ├── ContentMismatch
    ├── UnpackedTooLarge
    ├── TooSlow
    ├── TooManyParts
    ├── TooMuchText
    └── CorruptFile

Errors turn into user-facing text only at the edges (CLI exit codes, the app's messages).
"""

from __future__ import annotations


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""


class ConfigError(AdvisorError):
    """A setting is missing, malformed or names something unknown."""


class AssetError(AdvisorError):
    """Embedding model or tokenizer files are missing or fail their checksum."""


class StoreError(AdvisorError):
    """The vector store cannot be reached or refused an operation."""


class SessionStoreError(AdvisorError):
    """The session database cannot be reached or refused a write."""


class NotFound(AdvisorError):
    """An id names nothing that exists."""


class AccessDenied(AdvisorError):
    """The user may not see or change this workspace."""


class LLMError(AdvisorError):
    """The LLM endpoint failed, timed out or returned output that failed validation.

    ``kind`` is one of ``timeout``, ``rate_limited``, ``server_error``, ``unreachable``,
    ``refused``, ``filtered``, ``truncated`` (cut at its token limit), ``budget`` (the time
    allowed for the user's action is spent) or ``invalid_output``. The advisor catches it and
    falls back to the offline engine for that step.
    """

    def __init__(self, message: str, kind: str = "invalid_output") -> None:
        super().__init__(message)
        self.kind = kind


class IngestError(AdvisorError):
    """A file cannot be ingested. ``str(err)`` names the file, says why (``reason``) and what to
    do next (``hint``); the words for each kind are in the ``_WORDS`` table below."""

    reason: str
    hint: str

    def __init__(self, filename: str, detail: str | None = None) -> None:
        self.filename = filename
        self.detail = detail
        self.reason, self.hint = next(_WORDS[k] for k in type(self).__mro__ if k in _WORDS)
        text = f"{filename}: {self.reason}"
        if detail:
            text += f" ({detail})"
        super().__init__(f"{text}. {self.hint}")


class NotAFile(IngestError): ...


class UnreadableFile(IngestError): ...


class UnsupportedFileType(IngestError): ...


class EmptyFile(IngestError): ...


class FileTooLarge(IngestError): ...


class TooManyPages(IngestError): ...


class EncryptedFile(IngestError): ...


class NoTextLayer(IngestError): ...


class NoWords(IngestError): ...


class OcrFoundNoText(IngestError): ...


class OcrTooManyPages(IngestError): ...


class OcrError(IngestError): ...


class ContentMismatch(IngestError): ...


class UnpackedTooLarge(IngestError): ...


class TooSlow(IngestError): ...


class TooManyParts(IngestError): ...


class TooMuchText(IngestError): ...


class CorruptFile(IngestError): ...


# Each kind of refusal -> (why the file cannot be ingested, what to do about it).
_WORDS: dict[type[IngestError], tuple[str, str]] = {
    IngestError: ("cannot be read", "Check the file and try again."),
    NotAFile: (
        "it is not a regular file (a folder, a link, a device or a pipe)",
        "Give the path of the document itself; links are not followed.",
    ),
    UnreadableFile: (
        "the system refused to read it",
        "Check that the file exists and that you may read it, then try again.",
    ),
    UnsupportedFileType: (
        "this file type is not supported",
        "Upload a PDF, DOCX, Markdown (.md) or plain text (.txt) file.",
    ),
    EmptyFile: ("the file is empty", "Export the document again and upload the saved file."),
    FileTooLarge: (
        "the file is over the size limit",
        "Split it into smaller files, or raise ADVISOR_MAX_FILE_MB.",
    ),
    TooManyPages: (
        "the PDF has more pages than the limit",
        "Upload the relevant chapters as a separate PDF, or raise ADVISOR_MAX_PAGES.",
    ),
    EncryptedFile: (
        "the PDF is password-protected",
        "Remove the password (for example print it to a new PDF) and upload it again.",
    ),
    NoTextLayer: (
        "the PDF has no text layer; it looks scanned, and OCR is off or not installed",
        "Install Tesseract (make system-deps, or apt-get install tesseract-ocr) and keep "
        "ADVISOR_OCR=true, or upload a version with selectable text.",
    ),
    NoWords: (
        "the PDF has no text layer and no page images to read: only drawings",
        "Upload a version with selectable text.",
    ),
    OcrFoundNoText: (
        "OCR found no text in it; its pages look like pictures, not writing",
        "If it is a scan of a document, scan it again at 300 dpi, or upload a text version.",
    ),
    OcrTooManyPages: (
        "too many pages need OCR",
        "Upload the pages that matter, or raise ADVISOR_OCR_MAX_PAGES.",
    ),
    OcrError: (
        "OCR could not read it",
        "Try a cleaner scan, split the file, or upload a version with selectable text.",
    ),
    ContentMismatch: (
        "the content does not match the file extension",
        "Save the document in the format its extension says, or rename it correctly.",
    ),
    UnpackedTooLarge: (
        "the document unpacks to an implausibly large size",
        "Save it again from Word or LibreOffice; if genuine, raise ADVISOR_MAX_UNPACKED_MB.",
    ),
    TooSlow: (
        "reading and indexing the file took longer than the time limit",
        "Split it into smaller files, or raise ADVISOR_MAX_FILE_SECONDS.",
    ),
    TooManyParts: (
        "the file has more sections, paragraphs or passages than the limit",
        "Upload the parts that matter for this pilot, or raise ADVISOR_MAX_SECTIONS "
        "(Markdown and text), ADVISOR_MAX_PARAGRAPHS (DOCX) or ADVISOR_MAX_CHUNKS.",
    ),
    TooMuchText: (
        "the file holds more text than the limit",
        "Upload the chapters that matter for this pilot, or raise ADVISOR_MAX_FILE_CHARS.",
    ),
    CorruptFile: (
        "the file is damaged or truncated",
        "Open it in its usual program, save a fresh copy and upload that.",
    ),
}
