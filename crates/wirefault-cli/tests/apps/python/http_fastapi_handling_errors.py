"""FastAPI's "Handling Errors" tutorial: the HTTPException handler is
overridden to answer plain text.

Planted mistake: the override builds a new response from the detail alone,
so the headers of the exception are lost and a 405 has no Allow header
(WF-HTTP-003). Only a method the route lacks shows it, on the one path,
which has a parameter: the auditor finds it through the document and a
filled path parameter. The test serves it over TLS.
Run: uvicorn http_fastapi_handling_errors:app --port PORT
"""

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()


@app.exception_handler(StarletteHTTPException)
async def http_exception_handler(request, exc):
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code)


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    if item_id == 3:
        raise HTTPException(status_code=418, detail="Nope! I don't like 3.")
    return {"item_id": item_id}
