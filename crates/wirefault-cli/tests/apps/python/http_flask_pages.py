"""Correct: a Flask site for people, as Flask's tutorial and quickstart
write one. `/hello/<name>/` greets any name (Werkzeug redirects a path
without its trailing slash there, 308), the pages render HTML only and
refuse, before anything else, a client that does not accept HTML (406),
and unknown paths get Flask's own HTML 404.

Under `Accept: application/json` the wrong method is a 406, the same
request with `Accept: */*` is Flask's 405 with `Allow`: the auditor asks
again before judging. Nothing at warning or above.
Run: python http_flask_pages.py PORT
"""

import sys

from flask import Flask, abort, request

app = Flask(__name__)


@app.before_request
def html_only():
    if not request.accept_mimetypes.accept_html:
        abort(406)


@app.get("/")
def index():
    return "<h1>Welcome</h1><a href='/hello/ada/'>hello</a>"


@app.get("/<name>/")
def hello(name):
    return f"<p>Hello, {name}!</p>"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
