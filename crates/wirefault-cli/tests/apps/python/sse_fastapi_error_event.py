"""A FastAPI notification stream with sse-starlette that checks the token
inside the generator, as stream-only code often does: a client without a
valid token gets 200 text/event-stream, an `error` event, and the end of the
stream, so EventSource reconnects forever (WF-SSE-002)."""

import asyncio

from fastapi import FastAPI, Request
from sse_starlette import EventSourceResponse

app = FastAPI()


@app.get("/notifications")
async def notifications(request: Request):
    async def events():
        if request.headers.get("authorization") != "Bearer secret":
            yield {"event": "error", "data": '{"error": "unauthorized"}'}
            return
        n = 0
        while True:
            yield {"event": "notification", "data": f"note {n}"}
            n += 1
            await asyncio.sleep(0.2)

    return EventSourceResponse(events())
