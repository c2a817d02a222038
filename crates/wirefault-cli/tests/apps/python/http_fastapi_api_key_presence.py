"""A FastAPI service protected, on paper, by an API key: the `APIKeyHeader`
security scheme from FastAPI's security reference, so the document declares
it for every route that depends on it. The mistake its maintainers would
fix: the dependency only reads the key (FastAPI refuses a request without
one) and never checks it, so any made-up key gets the data (WF-HTTP-011).

Run: uvicorn http_fastapi_api_key_presence:app --port PORT
"""

from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import APIKeyHeader

app = FastAPI(title="Reports")
api_key_header = APIKeyHeader(name="X-API-Key")


async def client_name(api_key: Annotated[str, Depends(api_key_header)]) -> str:
    # Meant to look the key up; only reads it.
    return f"client-{api_key[:4]}"


@app.get("/")
async def root():
    return {"reports": "/reports"}


@app.get("/reports")
async def list_reports(client: Annotated[str, Depends(client_name)]):
    return [{"id": 1, "title": "Q3 revenue", "for": client}]
