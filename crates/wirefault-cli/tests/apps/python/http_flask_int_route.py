"""A Flask inventory whose item route takes an integer id (`<int:item_id>`:
Flask answers 404 for any other text itself).

Planted mistake: an id that names no item is answered 200 with an error
object instead of 404 (WF-HTTP-001). Audited with `--path /items/{id}`,
only the numeric miss (2147483647) reaches the handler; the text miss is
Flask's own 404.
Run: python3 http_flask_int_route.py PORT
"""

import sys

from flask import Flask, jsonify

app = Flask(__name__)

ITEMS = {1: {"id": 1, "name": "hammer"}, 2: {"id": 2, "name": "saw"}}


@app.get("/")
def index():
    return jsonify(service="inventory")


@app.get("/items/<int:item_id>")
def read_item(item_id):
    item = ITEMS.get(item_id)
    if item is None:
        return jsonify(error="Item not found")
    return jsonify(item)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
