"""A to-do API in the style of Flask's "Handling Application Errors" page:
HTTPException and validation errors answered as JSON by error handlers,
a <int:id> converter for the items, a JSON body checked before use.

Correct: no finding at warning or above is expected.
Run: python3 http_flask_todo_api.py PORT
"""

import sys

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

app = Flask(__name__)

todos = {1: {"id": 1, "title": "Buy milk", "done": False}}


@app.errorhandler(HTTPException)
def handle_http_exception(e):
    """Every HTTP error as JSON, keeping the exception's own headers (Allow)."""
    response = e.get_response()
    response.data = app.json.dumps({"code": e.code, "name": e.name, "description": e.description})
    response.content_type = "application/json"
    return response


@app.get("/")
def index():
    return jsonify({"service": "todos", "todos": "/api/todos"})


@app.get("/api/todos")
def list_todos():
    return jsonify(list(todos.values()))


@app.post("/api/todos")
def create_todo():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return jsonify({"code": 422, "name": "Unprocessable Entity",
                        "description": "'title' must be a string"}), 422
    todo = {"id": max(todos) + 1, "title": data["title"], "done": False}
    todos[todo["id"]] = todo
    return jsonify(todo), 201


@app.get("/api/todos/<int:todo_id>")
def get_todo(todo_id):
    todo = todos.get(todo_id)
    if todo is None:
        return jsonify({"code": 404, "name": "Not Found",
                        "description": f"no to-do {todo_id}"}), 404
    return jsonify(todo)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
