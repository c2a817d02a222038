"""A FastAPI app with an optional `APIKeyHeader` (`auto_error=False`) and
its own check, as many API-key recipes write it.

Planted mistake: the check raises 401 without a `WWW-Authenticate` header,
for a missing key and a wrong one alike (WF-HTTP-009). Everything else is
FastAPI's stock behaviour.
Run: uvicorn http_fastapi_security_no_challenge:app --port PORT
"""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import APIKeyHeader

app = FastAPI()

API_KEYS = {"key-for-the-audit"}

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_api_key(api_key: Annotated[str | None, Security(api_key_header)]) -> str:
    if api_key in API_KEYS:
        return api_key
    raise HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Invalid or missing API key",
    )


@app.get("/status")
def read_status():
    return {"status": "ok"}


@app.get("/items/", dependencies=[Depends(get_api_key)])
def read_items():
    return [{"name": "Portal Gun"}, {"name": "Plumbus"}]
