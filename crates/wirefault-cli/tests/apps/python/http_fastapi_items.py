"""An items API written the way FastAPI's tutorial writes one: path and
query parameters, a request body model with an example, HTTPException for a
missing item, and CORSMiddleware with the tutorial's list of origins.

Correct, with FastAPI's stock defaults ({"detail": ...} errors, the document
at /openapi.json). Run: uvicorn http_fastapi_items:app --port PORT
"""

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI()

origins = [
    "http://localhost.tiangolo.com",
    "https://localhost.tiangolo.com",
    "http://localhost",
    "http://localhost:8080",
]

app.add_middleware(
    CORSMiddleware,
    allow_origins=origins,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float
    tax: float | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"name": "Foo", "description": "A very nice Item", "price": 35.4, "tax": 3.2}
            ]
        }
    }


items: dict[int, Item] = {1: Item(name="Foo", price=50.2)}


@app.get("/")
async def root():
    return {"message": "Hello World"}


@app.get("/items/")
async def read_items(skip: int = 0, limit: int = 10):
    return list(items.values())[skip : skip + limit]


@app.post("/items/")
async def create_item(item: Item):
    items[len(items) + 1] = item
    return item


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    result = items[item_id].model_dump()
    if q:
        result["q"] = q
    return result


@app.get("/search/{text}")
async def search_items(text: str):
    """Items whose name contains `text`: no match is an empty list."""
    return [item for item in items.values() if text.lower() in item.name.lower()]
