"""An unhandled exception with Starlette's debug mode: the 500 body is a traceback."""

from fastapi import FastAPI

from common import add_cors, add_problem_handlers, add_routes, add_ws

app = FastAPI(debug=True)
# Problem details for HTTP errors, but no handler for unexpected exceptions:
# Starlette's ServerErrorMiddleware answers them, in debug mode with a traceback.
add_problem_handlers(app, internal=False)
add_cors(app)
add_routes(app)
add_ws(app)


@app.get("/report")
async def report():
    rows = {"total": 1}
    return {"ratio": rows["total"] / 0}
