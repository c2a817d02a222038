"""A Starlette app as its README writes one: a list of Routes, JSONResponse
handlers, and Starlette's stock error answers (plain-text "Not Found",
"Method Not Allowed" with Allow).

Correct: no finding at warning or above is expected; the short plain-text
reason phrases are the framework's stock errors.
Run: uvicorn http_starlette_stock:app --port PORT
"""

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Route

NOTES = {1: {"id": 1, "text": "hello"}}


async def homepage(request):
    return JSONResponse({"hello": "world"})


async def list_notes(request):
    return JSONResponse(list(NOTES.values()))


async def get_note(request):
    note = NOTES.get(request.path_params["note_id"])
    if note is None:
        raise HTTPException(status_code=404)
    return JSONResponse(note)


app = Starlette(
    routes=[
        Route("/", homepage),
        Route("/notes", list_notes),
        Route("/notes/{note_id:int}", get_note),
    ]
)
