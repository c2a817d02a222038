"""flask-sock's echo example, served by Werkzeug (Flask's own server).

Its messages are right; on the client's close, Werkzeug writes an HTTP
response before the close frame's answer (WF-WS-008). Run: python3 ws_flask_sock_echo.py PORT
"""

import sys

from flask import Flask
from flask_sock import Sock

app = Flask(__name__)
sock = Sock(app)


@sock.route("/echo")
def echo(ws):
    while True:
        data = ws.receive()
        ws.send(data)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
