"""Pure-ASGI middleware: request id + access log + metrics, and the request-body limit."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from starlette.requests import ClientDisconnect

from service import errors
from service.api import metrics
from service.logs import log, request_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# nginx's status for a request the client closed before the answer: counted as itself, never as a 500
CLIENT_CLOSED = 499


class _TooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: Mapping[str, object], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class RequestContext:
    """Gives every request an id (X-Request-ID, or a new one), logs it once, and counts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:128] or uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        t0 = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            status = CLIENT_CLOSED  # the client went away: no answer to give, and not the service's error
        finally:
            elapsed = time.perf_counter() - t0
            route_obj = scope.get("route")
            route = getattr(route_obj, "path", None) or "unmatched"
            metrics.child(metrics.REQUESTS, route, scope["method"], str(status)).inc()
            metrics.child(metrics.LATENCY, route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "request_id": rid,
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                },
            )
            request_id.reset(token)


class _SlowBody(Exception):
    pass


class BodyLimit:
    """Bounds on what a client may hold: 413 for a body over the limit (by Content-Length or while it streams
    in), 408 for a body that stops arriving (a Content-Length larger than what is sent, a multipart body
    without its closing boundary), 503 with Retry-After when more uploads are in flight than allowed."""

    def __init__(self, app: ASGIApp, limit: int, body_timeout_s: float = 15.0, max_uploads: int = 64) -> None:
        self.app = app
        self.limit = limit
        self.body_timeout_s = body_timeout_s
        self.max_uploads = max_uploads
        self.uploads = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _send_json(send, 413, self._body(int(declared)), [(b"connection", b"close")])
            return
        if self.uploads >= self.max_uploads:
            await _send_json(send, 503, {"error": errors.busy(self.max_uploads).to_dict()}, [(b"retry-after", b"1")])
            return
        received = 0
        started = False
        more = True

        async def limited() -> Message:
            nonlocal received, more
            if not more:
                return await receive()  # the body is in; what comes now is a disconnect
            try:
                async with asyncio.timeout(self.body_timeout_s):
                    message = await receive()
            except TimeoutError:
                raise _SlowBody from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more = bool(message.get("more_body"))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        self.uploads += 1
        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await _send_json(send, 413, self._body(received), [(b"connection", b"close")])
        except _SlowBody:
            if not started:
                body = {"error": errors.body_timeout(self.body_timeout_s, received).to_dict()}
                await _send_json(send, 408, body, [(b"connection", b"close")])
        finally:
            self.uploads -= 1

    def _body(self, size: int) -> dict[str, object]:
        return {"error": errors.body_too_large(size, self.limit).to_dict()}
