"""An aiohttp guestbook whose POST handler trusts the body, a mistake its
maintainers would fix: `(await request.json())["message"].strip()` raises
for `null`, a missing message or a number, answered 500 (WF-HTTP-004).

Run: python3 http_aiohttp_guestbook.py PORT
"""

import sys

from aiohttp import web

routes = web.RouteTableDef()
ENTRIES = [{"author": "ann", "message": "hi"}]


@routes.get("/")
async def index(request):
    return web.json_response({"entries": "/entries"})


@routes.get("/entries")
async def list_entries(request):
    return web.json_response(ENTRIES)


@routes.post("/entries")
async def add_entry(request):
    data = await request.json()
    entry = {"author": data.get("author", "anonymous"), "message": data["message"].strip()}
    ENTRIES.append(entry)
    return web.json_response(entry, status=201)


app = web.Application()
app.add_routes(routes)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
