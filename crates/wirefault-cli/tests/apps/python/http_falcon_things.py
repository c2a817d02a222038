"""A Falcon API in the style of its tutorial: resource classes with
`on_get`/`on_post`, `req.get_media()`, falcon.HTTPNotFound for a missing
id, served by wsgiref as the quickstart does. Falcon's own errors are JSON
and its 405 carries Allow.

Correct: no finding at warning or above is expected.
Run: python3 http_falcon_things.py PORT
"""

import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import falcon

THINGS = {1: {"id": 1, "name": "lamp"}}


class ThingsResource:
    def on_get(self, req, resp):
        resp.media = list(THINGS.values())

    def on_post(self, req, resp):
        data = req.get_media()
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise falcon.HTTPUnprocessableEntity(description="'name' must be a string")
        thing = {"id": max(THINGS) + 1, "name": data["name"]}
        THINGS[thing["id"]] = thing
        resp.status = falcon.HTTP_201
        resp.media = thing


class ThingResource:
    def on_get(self, req, resp, thing_id):
        thing = THINGS.get(thing_id)
        if thing is None:
            raise falcon.HTTPNotFound(description=f"no thing {thing_id}")
        resp.media = thing


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


app = falcon.App()
app.add_route("/things", ThingsResource())
app.add_route("/things/{thing_id:int}", ThingResource())

if __name__ == "__main__":
    with make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet) as httpd:
        httpd.serve_forever()
