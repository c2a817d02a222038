"""A FastAPI service with a bearer-token dependency and CORS for its front
end, written after the "Security" and "CORS" tutorial pages, with two
mistakes its maintainers would fix:

- the token check raises `HTTPException(401)` without the tutorial's
  `headers={"WWW-Authenticate": "Bearer"}` (WF-HTTP-009);
- the list sets `X-Total-Count` for the front end's pager, but
  CORSMiddleware gets no `expose_headers` (WF-CORS-007).

Run: uvicorn http_fastapi_token_auth:app --port PORT
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Response
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Orders")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://shop.example.com"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

ORDERS = [{"id": 1, "total": 12.5}, {"id": 2, "total": 3.0}]


async def current_user(authorization: Annotated[str | None, Header()] = None):
    if authorization != "Bearer secret-token":
        raise HTTPException(status_code=401, detail="Not authenticated")
    return "alice"


@app.get("/")
async def root():
    return {"service": "orders"}


@app.get("/orders")
async def list_orders(response: Response):
    response.headers["X-Total-Count"] = str(len(ORDERS))
    return ORDERS


@app.get("/me")
async def me(user: Annotated[str, Depends(current_user)]):
    return {"user": user}
