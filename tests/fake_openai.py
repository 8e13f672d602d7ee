"""A scripted OpenAI-compatible HTTP server on 127.0.0.1, for tests, evals and fault drills.

    with FakeOpenAI() as server:
        server.enqueue({"content": '{"question": "Who owns the feed?"}'})
        server.enqueue({"status": 429})
        server.enqueue({"delay": 5})                 # slower than the client's timeout
        server.enqueue({"content": "not json"})      # malformed output
        server.enqueue({"content": '{"que', "finish_reason": "length"})  # cut at max_tokens
        server.enqueue({"refusal": "I can't help with that."})
        server.enqueue({"reset": True})              # the connection drops, no answer
        settings = Settings(llm="openai:test", openai_base_url=server.url)

Each request to ``/v1/chat/completions`` takes the next scripted reply; when the queue is
empty the ``responder`` callback (if any) builds one from the request. ``history`` keeps every
request body, so tests can check what was sent (and that no secret or PII was). The real
openai/langchain client path runs unchanged against it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.settings import Settings

Reply = dict[str, Any]
Responder = Callable[[dict[str, Any]], Reply]


class FakeOpenAI:
    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder
        self.history: list[dict[str, Any]] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def settings(self, data_dir: Path, model: str, timeout: float, retries: int) -> Settings:
        """Settings whose LLM engine is ``openai:{model}`` on this server, with the client's
        ``timeout`` (seconds) and ``retries``; all data under ``data_dir``."""
        from app.settings import Settings

        return Settings(
            data_dir=data_dir,
            llm=f"openai:{model}",
            openai_base_url=self.url,
            llm_timeout=timeout,
            llm_retries=retries,
        )

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.history.append(body)
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(body)
        return {"status": 500, "body": {"error": {"message": "no scripted reply"}}}

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"raw": raw.decode(errors="replace")}
                body["_path"] = self.path
                reply = fake._next(body)
                if reply.get("delay"):
                    time.sleep(float(reply["delay"]))
                if reply.get("reset"):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status = int(reply.get("status", 200))
                if "embeddings" in self.path and status == 200 and "body" not in reply:
                    payload: Any = _embeddings(body)
                elif status == 200 and "body" not in reply:
                    payload = _completion(
                        body,
                        str(reply.get("content", "")),
                        str(reply.get("finish_reason", "stop")),
                        reply.get("refusal"),
                    )
                else:
                    payload = reply.get("body", {"error": {"message": f"HTTP {status}"}})
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _completion(
    request: dict[str, Any], content: str, finish_reason: str = "stop", refusal: str | None = None
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None if refusal else content,
                    "refusal": refusal,
                },
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _embeddings(request: dict[str, Any]) -> dict[str, Any]:
    texts = request.get("input") or []
    if isinstance(texts, str):
        texts = [texts]
    rows = []
    for index, text in enumerate(texts):
        vector = [0.0] * 8
        for position, char in enumerate(str(text)):
            vector[position % 8] += (ord(char) % 31) / 31
        rows.append({"object": "embedding", "index": index, "embedding": vector})
    return {"object": "list", "data": rows, "model": request.get("model", "fake")}


def user_message(request: dict[str, Any]) -> str:
    """The last user message of a chat request, for responders that echo the input."""
    messages = request.get("messages") or []
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else json.dumps(content)
    return ""
