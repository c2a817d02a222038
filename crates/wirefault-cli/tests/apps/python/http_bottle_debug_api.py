"""A Bottle JSON API left with `debug(True)` (the tutorial's development
setting), looking items up with `ITEMS[item_id]`. Two mistakes:

- a missing id raises KeyError, answered 500 (WF-HTTP-001);
- debug mode puts the traceback into the 500 page (WF-HTTP-008).

Run: python3 http_bottle_debug_api.py PORT
"""

import sys

import bottle
from bottle import get, run

bottle.debug(True)

ITEMS = {1: {"id": 1, "name": "kettle"}}


@get("/")
def index():
    return {"items": "/api/items"}


@get("/api/items")
def list_items():
    return {"items": list(ITEMS.values())}


@get("/api/items/<item_id:int>")
def get_item(item_id):
    return ITEMS[item_id]


if __name__ == "__main__":
    run(host="127.0.0.1", port=int(sys.argv[1]), quiet=True)
