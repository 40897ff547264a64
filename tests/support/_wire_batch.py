"""The batch APIs of the wire servers: OpenAI's files + batches, Anthropic's message batches.

Each batched request is answered exactly as its synchronous endpoint would answer it: it becomes
a `RecordedRequest` of that endpoint (the batch's headers, the line's body), the responder
decides its answer, and the format's own writer writes the response into a `Capture` instead of
a socket. A batch is answered in full when it is created, one request after another (so a prompt
cache written by one is read by the next); it reports "in progress" to its first `polls`
retrievals and finished after that.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any, cast

from ._wire_core import ApiKind, RecordedRequest
from ._wire_http import Writer, new_id

DAY = 24 * 3600


class Capture(Writer):
    """A writer that keeps a JSON response (status and body) instead of sending it.

    A response that is not whole JSON (a dropped connection, a stream, a body that is not JSON)
    is kept as status 0, "no response".
    """

    def __init__(self) -> None:
        super().__init__(cast(BaseHTTPRequestHandler, None), threading.Event())
        self.status = 0
        self.body: Any = None

    def send_bytes(self, status: int, data: bytes, *_: Any, **__: Any) -> None:
        """Keep a whole body that is JSON (a truncated one never gets here: see below)."""
        with contextlib.suppress(ValueError):  # not JSON: no response
            self.status, self.body = status, json.loads(data)

    def send_truncated_json(self, body: Any, headers: Mapping[str, str] | None = None) -> None:
        pass  # half a body: no response

    def start_stream(self, headers: Mapping[str, str] | None = None) -> None:
        pass  # batched requests do not stream: no response

    def sse(self, data: Any, event: str | None = None) -> None:
        pass

    def end_stream(self) -> None:
        pass

    def hang_up(self) -> None:
        pass

    def hold(self, seconds: float) -> None:
        pass  # a batch's latency is its polling

    def error_message(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        return "the server sent no response" if self.status == 0 else f"HTTP {self.status}"


# writes the answer to one batched request into a writer, as its synchronous endpoint would
AnswerInto = Callable[[RecordedRequest, Writer], None]


def _answered(answer: AnswerInto, request: RecordedRequest) -> Capture:
    capture = Capture()
    answer(request, capture)
    return capture


@dataclass
class _Batch:
    id: str
    results: list[tuple[str, Capture]]  # custom_id -> captured response, in request order
    created: float = field(default_factory=time.time)
    polls_left: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def poll(self) -> bool:
        """One retrieval: whether the batch has ended (after its first `polls` retrievals)."""
        done = self.polls_left <= 0
        self.polls_left -= 1
        return done

    @property
    def failed(self) -> int:
        return sum(1 for _, capture in self.results if capture.status != 200)


def _inner(batch_request: RecordedRequest, api: ApiKind, path: str, body: Any) -> RecordedRequest:
    """A batched request as it would have reached the synchronous endpoint."""
    raw = json.dumps(body).encode()
    return RecordedRequest(api, "POST", path, "", batch_request.headers, body, raw)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


class BatchStore:
    """Uploaded files and created batches of one server (thread-safe)."""

    def __init__(self, polls: int = 1) -> None:
        self.polls = polls
        self._lock = threading.Lock()
        self._files: dict[str, bytes] = {}
        self._batches: dict[str, _Batch] = {}

    def add_file(self, data: bytes) -> str:
        file_id = new_id("file-")
        with self._lock:
            self._files[file_id] = data
        return file_id

    def file(self, file_id: str) -> bytes | None:
        with self._lock:
            return self._files.get(file_id)

    def add_batch(self, prefix: str, results: list[tuple[str, Capture]], **extra: Any) -> _Batch:
        batch = _Batch(new_id(prefix), results, polls_left=self.polls, extra=extra)
        with self._lock:
            self._batches[batch.id] = batch
        return batch

    def batch(self, batch_id: str) -> _Batch | None:
        with self._lock:
            return self._batches.get(batch_id)


# -- OpenAI: POST /v1/files, POST /v1/batches, GET /v1/batches/{id}, GET /v1/files/{id}/content --


def openai_batches(
    store: BatchStore, request: RecordedRequest, out: Writer, answer: AnswerInto
) -> None:
    parts = request.path.rstrip("/").split("/")[2:]  # after "/v1"
    if request.method == "POST" and parts == ["files"]:
        data = _multipart_file(request)
        if data is None:
            return _openai_error(out, 400, "expected a multipart upload with a 'file' part")
        file_id = store.add_file(data)
        return out.send_json(200, _file_object(file_id, len(data)))
    if request.method == "GET" and len(parts) == 3 and parts[0] == "files":
        content = store.file(parts[1])
        if content is None:
            return _openai_error(out, 404, f"no file {parts[1]}")
        return out.send_bytes(200, content, "application/octet-stream")
    if request.method == "POST" and parts == ["batches"]:
        return _openai_create(store, request, out, answer)
    if request.method == "GET" and len(parts) == 2 and parts[0] == "batches":
        batch = store.batch(parts[1])
        if batch is None:
            return _openai_error(out, 404, f"no batch {parts[1]}")
        return out.send_json(200, _openai_batch(store, batch, done=batch.poll()))
    _openai_error(out, 404, f"no route {request.method} {request.path}")


def _openai_create(
    store: BatchStore, request: RecordedRequest, out: Writer, answer: AnswerInto
) -> None:
    body = request.body if isinstance(request.body, dict) else {}
    content = store.file(str(body.get("input_file_id")))
    if content is None:
        return _openai_error(out, 400, f"no input file {body.get('input_file_id')!r}")
    results = []
    for line in content.decode().splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        url = str(item["url"])
        api: ApiKind = "openai-responses" if url.endswith("/responses") else "openai-chat"
        inner = _inner(request, api, url, item["body"])
        results.append((str(item["custom_id"]), _answered(answer, inner)))
    batch = store.add_batch("batch_", results, endpoint=body.get("endpoint"), input=body)
    out.send_json(200, _openai_batch(store, batch, done=False))


def _openai_batch(store: BatchStore, batch: _Batch, *, done: bool) -> dict[str, Any]:
    total, failed = len(batch.results), batch.failed
    output = error = None
    if done:
        if "files" not in batch.extra:  # written once, when the batch is first seen finished
            batch.extra["files"] = (
                store.add_file(_openai_lines(batch, ok=True)) if total > failed else None,
                store.add_file(_openai_lines(batch, ok=False)) if failed else None,
            )
        output, error = batch.extra["files"]
    created = int(batch.created)
    return {
        "id": batch.id,
        "object": "batch",
        "endpoint": batch.extra["endpoint"],
        "errors": None,
        "input_file_id": batch.extra["input"].get("input_file_id"),
        "completion_window": batch.extra["input"].get("completion_window", "24h"),
        "status": "completed" if done else "in_progress",
        "output_file_id": output,
        "error_file_id": error,
        "created_at": created,
        "in_progress_at": created,
        "expires_at": created + DAY,
        "completed_at": int(time.time()) if done else None,
        "request_counts": {
            "total": total,
            "completed": total - failed if done else 0,
            "failed": failed if done else 0,
        },
        "metadata": None,
    }


def _openai_lines(batch: _Batch, *, ok: bool) -> bytes:
    """The output (`ok`) or error file: each line as the API's BatchRequestOutput.

    A request answered with an HTTP status keeps it and its body in `response`; one that got no
    response at all has `response: null` and an `error` with a code and message.
    """
    lines = []
    for custom_id, capture in batch.results:
        if (capture.status == 200) != ok:
            continue
        line: dict[str, Any] = {"id": new_id("batch_req_"), "custom_id": custom_id}
        if capture.status:
            response = {"status_code": capture.status, "request_id": new_id("req_")}
            line |= {"response": response | {"body": capture.body}, "error": None}
        else:
            error = {"code": "server_error", "message": capture.error_message()}
            line |= {"response": None, "error": error}
        lines.append(json.dumps(line))
    return "".join(line + "\n" for line in lines).encode()


def _file_object(file_id: str, size: int) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": int(time.time()),
        "filename": "batch.jsonl",
        "purpose": "batch",
        "status": "processed",
    }


def _multipart_file(request: RecordedRequest) -> bytes | None:
    content_type = request.headers.get("content-type", "")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.raw_body)
    for part in message.iter_parts() if message.is_multipart() else []:
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def _openai_error(out: Writer, status: int, message: str) -> None:
    kind = "invalid_request_error"
    out.send_json(
        status, {"error": {"message": message, "type": kind, "param": None, "code": None}}
    )


# -- Anthropic: POST /v1/messages/batches, GET /v1/messages/batches/{id}[/results] -------------


def anthropic_batches(
    store: BatchStore, request: RecordedRequest, out: Writer, answer: AnswerInto
) -> None:
    parts = request.path.rstrip("/").split("/")[3:]  # after "/v1/messages"
    if request.method == "POST" and parts == ["batches"]:
        body = request.body if isinstance(request.body, dict) else {}
        results = [
            (
                str(item["custom_id"]),
                _answered(
                    answer, _inner(request, "anthropic-messages", "/v1/messages", item["params"])
                ),
            )
            for item in body.get("requests") or []
        ]
        batch = store.add_batch("msgbatch_", results)
        return out.send_json(200, _anthropic_batch(request, batch, done=False))
    batch = store.batch(parts[1]) if request.method == "GET" and len(parts) >= 2 else None
    if batch is None:
        return _anthropic_error(out, 404, f"no batch or route {request.method} {request.path}")
    if parts[2:] == []:
        return out.send_json(200, _anthropic_batch(request, batch, done=batch.poll()))
    if parts[2:] == ["results"] and batch.polls_left < 0:
        return out.send_bytes(200, _anthropic_results(batch), "application/binary")
    _anthropic_error(out, 404, f"no results for {batch.id} yet, or no route {request.path}")


def _anthropic_batch(request: RecordedRequest, batch: _Batch, *, done: bool) -> dict[str, Any]:
    total, failed = len(batch.results), batch.failed
    host = request.headers.get("host", "127.0.0.1")
    results_url = f"http://{host}/v1/messages/batches/{batch.id}/results" if done else None
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": "ended" if done else "in_progress",
        "request_counts": {
            "processing": 0 if done else total,
            "succeeded": total - failed if done else 0,
            "errored": failed if done else 0,
            "canceled": 0,
            "expired": 0,
        },
        "ended_at": _iso(time.time()) if done else None,
        "created_at": _iso(batch.created),
        "expires_at": _iso(batch.created + DAY),
        "archived_at": None,
        "cancel_initiated_at": None,
        "results_url": results_url,
    }


def _anthropic_results(batch: _Batch) -> bytes:
    lines = []
    for custom_id, capture in batch.results:
        if capture.status == 200:
            result: dict[str, Any] = {"type": "succeeded", "message": capture.body}
        else:
            error = capture.body.get("error") if isinstance(capture.body, dict) else None
            if not isinstance(error, dict):
                error = {"type": "api_error", "message": capture.error_message()}
            result = {"type": "errored", "error": {"type": "error", "error": error}}
        lines.append(json.dumps({"custom_id": custom_id, "result": result}))
    return "".join(line + "\n" for line in lines).encode()


def _anthropic_error(out: Writer, status: int, message: str) -> None:
    error = {"type": "not_found_error", "message": message}
    out.send_json(status, {"type": "error", "error": error, "request_id": new_id("req_")})
