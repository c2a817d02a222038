"""A Flask API that writes its CORS headers itself in an `after_request`
hook, as many tutorials do: the front end's exact origin, credentials, and
`*` for the allowed methods and headers "to be safe". With credentials a
browser reads `*` as a literal name, so the preflight for its JSON POST
fails — a mistake its maintainers would fix (WF-CORS-006).

Run: python3 http_flask_manual_cors.py PORT
"""

import sys

from flask import Flask, jsonify, request

app = Flask(__name__)
FRONT_END = "https://app.example.com"


@app.after_request
def add_cors_headers(response):
    if request.headers.get("Origin") == FRONT_END:
        response.headers["Access-Control-Allow-Origin"] = FRONT_END
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Methods"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "*"
        response.headers.add("Vary", "Origin")
    return response


@app.get("/api/profile")
def profile():
    return jsonify({"name": "Ada"})


@app.route("/api/profile", methods=["OPTIONS"])
def profile_preflight():
    return "", 204


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
