"""An items API after FastAPI's "Additional Responses in OpenAPI" page: the
operation declares its 404 (`responses={404: {"model": Message}}`), so the
document promises clients a 404 for a missing item. The mistake its
maintainers would fix: the handler returns the message as a plain dict
instead of a `JSONResponse(status_code=404, ...)`, so a missing item is
answered 200 (WF-HTTP-001).

Run: uvicorn http_fastapi_declared_404:app --port PORT
"""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Items")


class Item(BaseModel):
    id: str
    value: str


class Message(BaseModel):
    message: str


ITEMS = {"foo": Item(id="foo", value="there goes my hero")}


@app.get("/items/{item_id}", response_model=Item | Message, responses={404: {"model": Message}})
async def read_item(item_id: str):
    if item_id in ITEMS:
        return ITEMS[item_id]
    return {"message": "Item not found"}
