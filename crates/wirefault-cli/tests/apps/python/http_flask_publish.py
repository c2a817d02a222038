"""A tiny publish/subscribe relay in Flask: `POST /<topic>` publishes a
message to a topic, `GET /` lists the topics. Only POST is routed on
`/<topic>`, so any other GET path is 405 with `Allow: POST` from Werkzeug:
the path exists, for another method.

Correct: no finding at warning or above is expected (an unknown-looking
path answered 405 with Allow is the router telling the truth).
Run: python3 http_flask_publish.py PORT
"""

import sys

from flask import Flask, jsonify, request

app = Flask(__name__)
topics: dict[str, list[str]] = {}


@app.get("/")
def index():
    return jsonify({name: len(messages) for name, messages in topics.items()})


@app.post("/<topic>")
def publish(topic):
    message = request.get_data(as_text=True)
    topics.setdefault(topic, []).append(message)
    return jsonify({"topic": topic, "queued": len(topics[topic])}), 202


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
