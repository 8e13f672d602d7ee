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
    ├── UnsupportedFileType
    ├── EmptyFile
    ├── FileTooLarge
    ├── TooManyPages
    ├── EncryptedFile
    ├── NoTextLayer
    ├── ContentMismatch
    ├── UnpackedTooLarge
    ├── TooSlow
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
    """A file cannot be ingested. ``str(err)`` names the file and says what to do."""

    reason = "cannot be read"
    hint = "Check the file and try again."

    def __init__(self, filename: str, detail: str | None = None) -> None:
        self.filename = filename
        self.detail = detail
        text = f"{filename}: {self.reason}"
        if detail:
            text += f" ({detail})"
        super().__init__(f"{text}. {self.hint}")


class NotAFile(IngestError):
    reason = "it is not a regular file (a folder, a link, a device or a pipe)"
    hint = "Give the path of the document itself; links are not followed."


class UnreadableFile(IngestError):
    reason = "the system refused to read it"
    hint = "Check that the file exists and that you may read it, then try again."


class UnsupportedFileType(IngestError):
    reason = "this file type is not supported"
    hint = "Upload a PDF, DOCX, Markdown (.md) or plain text (.txt) file."


class EmptyFile(IngestError):
    reason = "the file is empty"
    hint = "Export the document again and upload the saved file."


class FileTooLarge(IngestError):
    reason = "the file is over the size limit"
    hint = "Split it into smaller files, or raise ADVISOR_MAX_FILE_MB."


class TooManyPages(IngestError):
    reason = "the PDF has more pages than the limit"
    hint = "Upload the relevant chapters as a separate PDF, or raise ADVISOR_MAX_PAGES."


class EncryptedFile(IngestError):
    reason = "the PDF is password-protected"
    hint = "Remove the password (for example print it to a new PDF) and upload it again."


class NoTextLayer(IngestError):
    reason = "the PDF has no text layer; it looks scanned, and OCR is off or not installed"
    hint = (
        "Install Tesseract (make system-deps, or apt-get install tesseract-ocr) and keep "
        "ADVISOR_OCR=true, or upload a version with selectable text."
    )


class NoWords(IngestError):
    reason = "the PDF has no text layer and no page images to read: only drawings"
    hint = "Upload a version with selectable text."


class OcrFoundNoText(IngestError):
    reason = "OCR found no text in it; its pages look like pictures, not writing"
    hint = "If it is a scan of a document, scan it again at 300 dpi, or upload a text version."


class OcrTooManyPages(IngestError):
    reason = "too many pages need OCR"
    hint = "Upload the pages that matter, or raise ADVISOR_OCR_MAX_PAGES."


class OcrError(IngestError):
    reason = "OCR could not read it"
    hint = "Try a cleaner scan, split the file, or upload a version with selectable text."


class ContentMismatch(IngestError):
    reason = "the content does not match the file extension"
    hint = "Save the document in the format its extension says, or rename it correctly."


class UnpackedTooLarge(IngestError):
    reason = "the document unpacks to an implausibly large size"
    hint = "Save it again from Word or LibreOffice; if genuine, raise ADVISOR_MAX_UNPACKED_MB."


class TooSlow(IngestError):
    reason = "reading and indexing the file took longer than the time limit"
    hint = "Split it into smaller files, or raise ADVISOR_MAX_FILE_SECONDS."


class TooManyParts(IngestError):
    reason = "the file has more sections, paragraphs or passages than the limit"
    hint = (
        "Upload the parts that matter for this pilot, or raise ADVISOR_MAX_SECTIONS "
        "(Markdown and text), ADVISOR_MAX_PARAGRAPHS (DOCX) or ADVISOR_MAX_CHUNKS."
    )


class TooMuchText(IngestError):
    reason = "the file holds more text than the limit"
    hint = "Upload the chapters that matter for this pilot, or raise ADVISOR_MAX_FILE_CHARS."


class CorruptFile(IngestError):
    reason = "the file is damaged or truncated"
    hint = "Open it in its usual program, save a fresh copy and upload that."
