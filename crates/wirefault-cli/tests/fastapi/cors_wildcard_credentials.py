"""CORSMiddleware with allow_origins=["*"] and allow_credentials=True.

Starlette answers a request that carries a cookie by reflecting its Origin,
with credentials: any site can read the user's data.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from common import add_problem_handlers, add_routes, add_ws

app = FastAPI()
add_problem_handlers(app)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["content-type"],
    expose_headers=["x-request-id"],
)
add_routes(app)
add_ws(app)
