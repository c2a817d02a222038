"""A FastAPI price feed over Server-Sent Events with sse-starlette, written
the way its README does: an async generator of events wrapped in an
EventSourceResponse. Correct: the token and Last-Event-ID are checked before
the stream starts, so a refused client gets a 401 or a 400, not a stream."""

import asyncio

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sse_starlette import EventSourceResponse

app = FastAPI()
bearer = HTTPBearer()


def user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> str:
    if creds.credentials != "secret":
        raise HTTPException(
            status_code=401,
            detail="invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return "alice"


@app.get("/prices")
async def prices(
    name: str = Depends(user),
    last_event_id: str | None = Header(default=None),
):
    start = 0
    if last_event_id is not None:
        if not last_event_id.isdigit():
            raise HTTPException(status_code=400, detail="Last-Event-ID is not an event id")
        start = int(last_event_id) + 1

    async def events():
        for n in range(start, start + 1000):
            yield {"id": str(n), "event": "price", "data": f'{{"n": {n}}}'}
            await asyncio.sleep(0.2)

    return EventSourceResponse(events())
