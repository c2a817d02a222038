"""A Flask site whose API under /api/ gets CORS from flask-cors' resource
example (`resources={r"/api/*": {"origins": "*"}}`), with credentials on.

Planted mistake: origins "*" with supports_credentials=True makes
flask-cors echo any origin with Access-Control-Allow-Credentials: true, on
/api/* only (WF-CORS-002). The home page has no CORS at all: the auditor
finds it only when told the API path (--path).
Run: python3 http_flask_cors_api.py PORT
"""

import sys

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)


@app.get("/")
def home():
    return "<!doctype html><title>Notes</title><h1>Notes</h1><p>Sign in to see your notes.</p>"


@app.get("/api/notes")
def notes():
    return jsonify([{"id": 1, "text": "private"}])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
