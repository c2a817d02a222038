"""A small wiki in Bottle as its tutorial writes one: decorated routes,
a `<name>` wildcard, `abort(404)` for a page that does not exist, and
Bottle's stock HTML error pages.

Correct: no finding at warning or above is expected (a site for people,
with the framework's own error pages).
Run: python3 http_bottle_wiki.py PORT
"""

import sys

from bottle import abort, route, run, template

PAGES = {"home": "Welcome to the wiki.", "about": "A wiki written with Bottle."}


@route("/")
def index():
    links = "".join(f'<li><a href="/wiki/{name}">{name}</a></li>' for name in PAGES)
    return f"<!doctype html><title>Wiki</title><ul>{links}</ul>"


@route("/wiki/<name>")
def page(name):
    if name not in PAGES:
        abort(404, "No such page.")
    return template("<h1>{{name}}</h1><p>{{text}}</p>", name=name, text=PAGES[name])


if __name__ == "__main__":
    run(host="127.0.0.1", port=int(sys.argv[1]), quiet=True)
