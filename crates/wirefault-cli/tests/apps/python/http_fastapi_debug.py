"""A FastAPI app left with `FastAPI(debug=True)` that looks users up with
`USERS[user_id]`, two mistakes its maintainers would fix:

- a user id that names nobody raises KeyError, answered 500 (WF-HTTP-001);
- debug mode answers it with Starlette's traceback page (WF-HTTP-008).

Run: uvicorn http_fastapi_debug:app --port PORT
"""

from fastapi import FastAPI

app = FastAPI(debug=True, title="Users")

USERS = {1: {"id": 1, "name": "Grace"}}


@app.get("/users/{user_id}")
async def read_user(user_id: int):
    return USERS[user_id]
