"""A push-only socket: the server sends the time every 100 ms and never
reads. Correct: a socket that takes no input is not failing to close on it.
"""

import asyncio
from datetime import datetime, timezone

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/clock")
async def clock(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_json({"now": datetime.now(timezone.utc).isoformat()})
            await asyncio.sleep(0.1)
    except (WebSocketDisconnect, RuntimeError):
        pass
