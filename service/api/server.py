"""The HTTP server the service runs under: uvicorn, with bounds on what a client may send before the app sees it.

uvicorn's h11 protocol already stops reading a request line and headers past `h11_max_incomplete_event_size`,
but answers 400 "Invalid HTTP request"; HTTP's answer is 431, which this protocol sends (h11 says which
status its error calls for). The body's bounds (size, read timeout, uploads in flight) are the app's
middleware (service.api.middleware).
"""

from __future__ import annotations

from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.settings import Settings


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering an oversized or malformed request head with the status h11 names."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._hint = 400
        next_event = self.conn.next_event

        def remembered() -> Any:
            try:
                return next_event()
            except h11.RemoteProtocolError as exc:
                self._hint = exc.error_status_hint
                raise

        self.conn.next_event = remembered  # type: ignore[method-assign]

    def send_400_response(self, msg: str) -> None:
        if self._hint != 431:
            super().send_400_response(msg)
            return
        body = b'{"error":{"code":"headers_too_large","message":"the request line and headers are over the limit","context":{}}}'
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        for event in (
            h11.Response(status_code=431, headers=headers, reason=b"Request Header Fields Too Large"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def serve(app: Any, settings: Settings, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        http=BoundedH11Protocol,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.graceful_shutdown_s),
    )
