"""A Starlette endpoint that reads the body with `await request.json()` and
indexes it without a check, a mistake its maintainers would fix: JSON that
does not parse, `null` or a missing field raise, answered 500
(WF-HTTP-004). Its own errors are JSON.

Run: uvicorn http_starlette_unguarded_json:app --port PORT
"""

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Route

BOOKMARKS = [{"id": 1, "url": "https://example.com"}]


async def http_error(request, exc):
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def bookmarks(request):
    if request.method == "POST":
        data = await request.json()
        bookmark = {"id": len(BOOKMARKS) + 1, "url": data["url"]}
        BOOKMARKS.append(bookmark)
        return JSONResponse(bookmark, status_code=201)
    return JSONResponse(BOOKMARKS)


app = Starlette(
    routes=[Route("/bookmarks", bookmarks, methods=["GET", "POST"])],
    exception_handlers={HTTPException: http_error},
)
