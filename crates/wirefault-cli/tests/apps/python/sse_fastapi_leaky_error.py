"""A FastAPI job-progress stream with sse-starlette that reports a failure
as an event carrying the exception's traceback (WF-SSE-003), then ends the
stream cleanly. Anonymous clients are refused with 401 before the stream."""

import traceback

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sse_starlette import EventSourceResponse

app = FastAPI()
bearer = HTTPBearer()
JOBS = {}


def user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> str:
    if creds.credentials != "secret":
        raise HTTPException(status_code=401, detail="invalid token",
                            headers={"WWW-Authenticate": "Bearer"})
    return "alice"


@app.get("/jobs/progress")
async def progress(name: str = Depends(user)):
    async def events():
        yield {"event": "progress", "data": "0"}
        try:
            JOBS["current"]["percent"]
        except Exception:
            yield {"event": "failed", "data": traceback.format_exc()}

    return EventSourceResponse(events())
