"""A feed with optional authentication, as FastAPI's docs suggest for it:
`HTTPBearer(auto_error=False)`, so anonymous readers get the public feed
and a signed-in reader a personal one; a token that is sent must be valid.

Correct. FastAPI still lists the scheme as required in /openapi.json
(there is no way to mark it optional), so the auditor sees an anonymous
200 on a "protected" operation; since a bogus token is refused, that is
optional authentication, only noted.
Run: uvicorn http_fastapi_security_optional:app --port PORT
"""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()

TOKENS = {"token-for-the-audit": "alice"}

optional_bearer = HTTPBearer(auto_error=False)


def get_reader(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(optional_bearer)],
) -> str | None:
    if credentials is None:
        return None
    reader = TOKENS.get(credentials.credentials)
    if reader is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return reader


@app.get("/feed")
def read_feed(reader: Annotated[str | None, Depends(get_reader)]):
    posts = [{"title": "Release notes"}]
    if reader is not None:
        posts.append({"title": f"Drafts shared with {reader}"})
    return posts
