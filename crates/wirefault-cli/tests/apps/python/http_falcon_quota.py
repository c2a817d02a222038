"""A Falcon API with a hand-written quota and token check, two mistakes:

- the export endpoint answers 429 by setting `resp.status` itself, with no
  Retry-After (WF-HTTP-010);
- the account endpoint raises `falcon.HTTPUnauthorized()` without the
  `challenges` argument, so the 401 has no WWW-Authenticate (WF-HTTP-009).

Run: python3 http_falcon_quota.py PORT
"""

import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import falcon

EXPORTS_PER_HOUR = 0


class ExportResource:
    def on_get(self, req, resp):
        # The quota is spent for today: this example never has exports left.
        if EXPORTS_PER_HOUR <= 0:
            resp.status = falcon.HTTP_429
            resp.media = {"title": "Too Many Requests", "description": "export quota exhausted"}
            return
        resp.media = {"export": "started"}


class AccountResource:
    def on_get(self, req, resp):
        if req.get_header("Authorization") != "Bearer let-me-in":
            raise falcon.HTTPUnauthorized(title="Unauthorized", description="a token is required")
        resp.media = {"account": "alice"}


class RootResource:
    def on_get(self, req, resp):
        resp.media = {"endpoints": ["/export", "/account"]}


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


app = falcon.App()
app.add_route("/", RootResource())
app.add_route("/export", ExportResource())
app.add_route("/account", AccountResource())

if __name__ == "__main__":
    with make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet) as httpd:
        httpd.serve_forever()
