"""An aiohttp API with a nightly export that is rate-limited and a profile
behind a token, both answered with aiohttp's HTTP exceptions, two mistakes
its maintainers would fix:

- `raise web.HTTPTooManyRequests()` without a Retry-After header
  (WF-HTTP-010);
- `raise web.HTTPUnauthorized()` without a WWW-Authenticate header
  (WF-HTTP-009).

Run: python3 http_aiohttp_limits.py PORT
"""

import sys

from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/")
async def index(request):
    return web.json_response({"export": "/export", "profile": "/profile"})


@routes.get("/export")
async def export(request):
    # One export a night; this sample's quota is always spent.
    raise web.HTTPTooManyRequests(text='{"error": "export quota spent"}', content_type="application/json")


@routes.get("/profile")
async def profile(request):
    if request.headers.get("Authorization") != "Bearer letmein":
        raise web.HTTPUnauthorized(text='{"error": "token required"}', content_type="application/json")
    return web.json_response({"name": "Ada"})


app = web.Application()
app.add_routes(routes)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
