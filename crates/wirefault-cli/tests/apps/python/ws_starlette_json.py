"""Starlette's class-based endpoint with `encoding = "json"`, as its docs
show: Starlette itself closes a session whose message is not JSON (1003).

Correct. Run: python3 -m uvicorn ws_starlette_json:app --port PORT
"""

from starlette.applications import Starlette
from starlette.endpoints import WebSocketEndpoint
from starlette.routing import WebSocketRoute


class Echo(WebSocketEndpoint):
    encoding = "json"

    async def on_receive(self, websocket, data):
        await websocket.send_json({"echo": data})


app = Starlette(routes=[WebSocketRoute("/ws", Echo)])
