"""Refuse request bodies over the upload limit however they are sent.

A body with a ``Content-Length`` header is refused from the header, before it is read. A
chunked body has no length to check; it used to be read whole, so 40 MB went through to a
route. :class:`BodyLimit` reads such a body here, up to the limit (a 413 past it), and hands
it on to the app as if it had just arrived.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente.web.errors import error_response


class BodyLimit:
    """ASGI middleware: a 413 (JSON) for a request body over ``limit`` bytes; the message
    names ``upload_limit``, the limit on a file (``limit`` allows for multipart framing)."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    def _too_large(self) -> ASGIApp:
        return error_response(413, f"the request is larger than the upload limit of "
                                   f"{self.upload_limit} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await error_response(400, "invalid Content-Length header")(scope, receive, send)
            elif int(length) > self.limit:
                await self._too_large()(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        if headers.get(b"transfer-encoding") is None:  # no body
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await self._too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
