"""A FastAPI app that protects its items with `APIKeyHeader`, its export
with `APIKeyQuery` and its user route with `HTTPBearer` as dependencies,
and nothing else.

Planted mistake: those classes only read the credential (401 when it is
missing); nothing compares it with the issued ones, so any key or token is
let in: a bogus one is answered 200 (WF-HTTP-011).
Run: uvicorn http_fastapi_security_presence:app --port PORT
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Security
from fastapi.security import (
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBearer,
)

app = FastAPI()

api_key_header = APIKeyHeader(name="X-API-Key")
api_key_query = APIKeyQuery(name="api_key")
bearer = HTTPBearer()


@app.get("/status")
def read_status():
    return {"status": "ok"}


@app.get("/items/", dependencies=[Security(api_key_header)])
def read_items():
    return [{"name": "Portal Gun"}, {"name": "Plumbus"}]


@app.get("/users/me")
def read_me(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    return {"token_type": credentials.scheme}


@app.get("/export", dependencies=[Security(api_key_query)])
def export_items():
    return {"items": ["Portal Gun", "Plumbus"]}
