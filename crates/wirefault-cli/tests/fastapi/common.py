"""Shared pieces of the FastAPI fixtures: a correct app that the broken ones vary.

Every error is application/problem+json (RFC 9457), headers of the original
exception (Allow, Retry-After, WWW-Authenticate) are kept, 5xx bodies show no
internals, CORS is an exact allowlist with credentials, custom headers are
exposed, and the WebSocket endpoint checks Origin and closes with proper codes.
"""

import json

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

TRUSTED_ORIGIN = "https://app.example.com"
MAX_WS_MESSAGE = 64 * 1024


def problem(status: int, title: str, detail: str = "", headers=None) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def add_problem_handlers(app: FastAPI, internal: bool = True) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError):
        return problem(422, "Unprocessable Content", "the request body is invalid")

    if internal:

        @app.exception_handler(Exception)
        async def internal_problem(request: Request, exc: Exception):
            return problem(500, "Internal Server Error")


def add_cors(app: FastAPI) -> None:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[TRUSTED_ORIGIN],
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        expose_headers=["x-request-id"],
    )


def add_routes(app: FastAPI) -> None:
    @app.get("/")
    async def root():
        return JSONResponse({"status": "ok"}, headers={"X-Request-Id": "fixture-1"})


async def refuse_foreign_origin(websocket: WebSocket) -> bool:
    """Answers 403 problem+json before the upgrade when Origin is foreign."""
    origin = websocket.headers.get("origin")
    if origin is not None and origin != TRUSTED_ORIGIN:
        await websocket.send_denial_response(problem(403, "Forbidden", "origin not allowed"))
        return True
    return False


def add_ws(app: FastAPI) -> None:
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        if await refuse_foreign_origin(websocket):
            return
        await websocket.accept()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    await websocket.close(1003, "binary messages are not supported")
                    return
                if len(text.encode()) > MAX_WS_MESSAGE:
                    await websocket.close(1009, "message too big")
                    return
                try:
                    json.loads(text)
                except ValueError:
                    await websocket.close(1007, "malformed JSON")
                    return
                await websocket.send_text('{"event":"pong"}')
        except WebSocketDisconnect:
            return


def correct_app() -> FastAPI:
    app = FastAPI()
    add_problem_handlers(app)
    add_cors(app)
    add_routes(app)
    add_ws(app)
    return app
