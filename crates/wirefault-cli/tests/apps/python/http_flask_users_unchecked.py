"""A users API in Flask as a first tutorial would write it, with two
mistakes its maintainers would fix:

- a user id that names nobody is answered 200 with `{"error": ...}`
  (WF-HTTP-001: a 2xx for a missing resource);
- the create handler trusts the body: `data["name"].strip()` raises
  KeyError or AttributeError for a missing or non-text name, answered 500
  (WF-HTTP-004).

Run: python3 http_flask_users_unchecked.py PORT
"""

import sys

from flask import Flask, jsonify, request

app = Flask(__name__)
users = {1: {"id": 1, "name": "Ada"}}


@app.get("/")
def index():
    return jsonify({"users": "/api/users"})


@app.get("/api/users")
def list_users():
    return jsonify(list(users.values()))


@app.get("/api/users/<int:user_id>")
def get_user(user_id):
    user = users.get(user_id)
    if user is None:
        return jsonify({"error": "user not found"})
    return jsonify(user)


@app.post("/api/users")
def create_user():
    data = request.get_json()
    user = {"id": len(users) + 1, "name": data["name"].strip()}
    users[user["id"]] = user
    return jsonify(user), 201


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
