"""A Flask JSON API with flask-cors trusting every subdomain of example2.com
through a regular expression, as flask-cors' docs allow for origins.

Correct: the pattern is anchored at both ends (flask-cors matches with
re.match, which anchors only the start), so only real subdomains match;
credentials are allowed. Run: python3 http_flask_subdomain_cors.py PORT
"""

import sys

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=[r"https://[a-z0-9-]+\.example2\.com$"], supports_credentials=True)

NOTES = [{"id": 1, "text": "first"}]


@app.get("/")
def index():
    return jsonify(message="notes service")


@app.get("/api/notes")
def list_notes():
    return jsonify(NOTES)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
