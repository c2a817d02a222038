"""A Bottle JSON API that sets its CORS headers in an `after_request` hook:
`Access-Control-Allow-Origin: *` together with
`Access-Control-Allow-Credentials: true`. Browsers refuse the pair, so the
front end's credentialed calls fail, and the intent (everyone, with
cookies) is unsafe: a mistake its maintainers would fix (WF-CORS-001).

Run: python3 http_bottle_cors_star.py PORT
"""

import sys

from bottle import get, hook, response, run


@hook("after_request")
def enable_cors():
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Credentials"] = "true"


@get("/api/messages")
def messages():
    return {"messages": [{"from": "ann", "text": "hi"}]}


if __name__ == "__main__":
    run(host="127.0.0.1", port=int(sys.argv[1]), quiet=True)
