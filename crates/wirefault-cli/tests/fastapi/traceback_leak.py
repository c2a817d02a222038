"""An unhandled exception with Starlette's debug mode: the 500 body is a traceback."""

from fastapi import FastAPI

from common import add_cors, add_routes, add_ws

app = FastAPI(debug=True)
add_cors(app)
add_routes(app)
add_ws(app)


@app.get("/report")
async def report():
    rows = {"total": 1}
    return {"ratio": rows["total"] / 0}
