"""A Falcon API for a browser front end, with Falcon's CORSMiddleware
allowing the front end and, "for testing from a local file", the `null`
origin, both with credentials. The mistake its maintainers would fix: any
site can send `Origin: null` (a sandboxed iframe) and read a signed-in
user's data (WF-CORS-003).

Run: python3 http_falcon_cors_null.py PORT
"""

import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import falcon

ORIGINS = ["https://app.example.com", "null"]


class InboxResource:
    def on_get(self, req, resp):
        resp.media = [{"from": "bob", "subject": "lunch?"}]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


app = falcon.App(
    middleware=[falcon.CORSMiddleware(allow_origins=ORIGINS, allow_credentials=ORIGINS)]
)
app.add_route("/api/inbox", InboxResource())

if __name__ == "__main__":
    with make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet) as httpd:
        httpd.serve_forever()
