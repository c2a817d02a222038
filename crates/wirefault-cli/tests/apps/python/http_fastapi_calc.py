"""A calculator and a catalogue in FastAPI's tutorial style: typed path
parameters (`/add/{a}/{b}` computes from any two numbers), and items looked
up with `HTTPException(404)` for a missing id.

Correct: no finding at warning or above is expected. `/add/2147483647/2147483647`
is a sum, not a missing resource.
Run: uvicorn http_fastapi_calc:app --port PORT
"""

from fastapi import FastAPI, HTTPException

app = FastAPI(title="Calculator")

items = {1: {"id": 1, "name": "Hammer"}}


@app.get("/")
async def root():
    return {"message": "Try /add/1/2"}


@app.get("/add/{a}/{b}")
async def add(a: int, b: int):
    return {"a": a, "b": b, "result": a + b}


@app.get("/multiply/{a}/{b}")
async def multiply(a: float, b: float):
    return {"a": a, "b": b, "result": a * b}


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    if item_id not in items:
        raise HTTPException(status_code=404, detail="Item not found")
    return items[item_id]
