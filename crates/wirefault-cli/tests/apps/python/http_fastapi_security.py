"""An API protected the way FastAPI's security docs write it: an API key in
the `X-API-Key` header (`APIKeyHeader`) for the items, in the `api_key`
query parameter (`APIKeyQuery`) for the export, in the `session` cookie
(`APIKeyCookie`) for the settings, a bearer token (`HTTPBearer`) for the
current user, each checked against the issued ones in a dependency that
raises 401 with a challenge. `/status` is public.

Correct: FastAPI declares the four schemes in /openapi.json and answers a
missing credential 401 with `WWW-Authenticate: APIKey` / `Bearer`; the
dependencies answer a wrong one the same way.
Run: uvicorn http_fastapi_security:app --port PORT
"""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBearer,
)

app = FastAPI()

API_KEYS = {"key-for-the-audit"}
TOKENS = {"token-for-the-audit": "alice"}

api_key_header = APIKeyHeader(name="X-API-Key")
api_key_query = APIKeyQuery(name="api_key")
session_cookie = APIKeyCookie(name="session")
bearer = HTTPBearer()
SESSIONS = {"session-for-the-audit": "alice"}


def get_api_key(api_key: Annotated[str, Security(api_key_header)]) -> str:
    if api_key not in API_KEYS:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid API key",
            headers={"WWW-Authenticate": "APIKey"},
        )
    return api_key


def get_query_key(api_key: Annotated[str, Security(api_key_query)]) -> str:
    return get_api_key(api_key)


def get_session_user(session: Annotated[str, Security(session_cookie)]) -> str:
    user = SESSIONS.get(session)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid session",
            headers={"WWW-Authenticate": "APIKey"},
        )
    return user


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> str:
    user = TOKENS.get(credentials.credentials)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


@app.get("/status")
def read_status():
    return {"status": "ok"}


@app.get("/items/", dependencies=[Depends(get_api_key)])
def read_items():
    return [{"name": "Portal Gun"}, {"name": "Plumbus"}]


@app.get("/users/me")
def read_me(user: Annotated[str, Depends(get_current_user)]):
    return {"username": user}


@app.get("/export", dependencies=[Depends(get_query_key)])
def export_items():
    return {"items": ["Portal Gun", "Plumbus"]}


@app.get("/settings")
def read_settings(user: Annotated[str, Depends(get_session_user)]):
    return {"username": user, "theme": "dark"}
