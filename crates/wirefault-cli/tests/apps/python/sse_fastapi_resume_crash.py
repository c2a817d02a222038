"""A FastAPI event log with sse-starlette that resumes from Last-Event-ID
inside its generator: an id that is not a number raises after the 200 and
the headers went out, and the connection is dropped with no event saying why
(WF-SSE-004). The token is checked before the stream, correctly."""

import asyncio

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sse_starlette import EventSourceResponse

app = FastAPI()
bearer = HTTPBearer()


def user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> str:
    if creds.credentials != "secret":
        raise HTTPException(status_code=401, detail="invalid token",
                            headers={"WWW-Authenticate": "Bearer"})
    return "alice"


@app.get("/log")
async def log(request: Request, name: str = Depends(user)):
    async def events():
        yield {"event": "hello", "data": "log stream"}
        start = int(request.headers.get("last-event-id", "-1")) + 1
        for n in range(start, start + 1000):
            yield {"id": str(n), "data": f"entry {n}"}
            await asyncio.sleep(0.2)

    return EventSourceResponse(events())
