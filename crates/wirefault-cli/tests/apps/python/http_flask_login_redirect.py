"""A members-only Flask site, in the style of Flask's tutorial blog: a
`before_request` hook sends every visitor who is not signed in to the
sign-in page (`redirect(url_for("login", next=request.path))`), before
routing, so an unknown path is a 302 to /login too.

Correct: no finding at warning or above is expected (authentication before
routing reveals no paths; the redirect lands on a real sign-in page).
Run: python3 http_flask_login_redirect.py PORT
"""

import sys

from flask import Flask, redirect, request, session, url_for

app = Flask(__name__)
app.secret_key = "sample-only"


@app.before_request
def require_login():
    if request.endpoint != "login" and "user" not in session:
        return redirect(url_for("login", next=request.path))


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST" and request.form.get("user"):
        session["user"] = request.form["user"]
        return redirect(request.args.get("next") or url_for("index"))
    return (
        "<!doctype html><title>Sign in</title>"
        '<form method="post"><input name="user"><button>Sign in</button></form>'
    )


@app.get("/")
def index():
    return f"<!doctype html><title>Members</title><p>Hello, {session['user']}.</p>"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
