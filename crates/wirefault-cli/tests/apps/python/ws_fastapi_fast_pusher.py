"""A JSON feed that pushes every millisecond and reads the client's
subscription messages; a message that is not JSON ends the session with
1007, as it should. Correct (the auditor must not stop reading early and
report "no close").
"""

import asyncio
import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/feed")
async def feed(websocket: WebSocket):
    await websocket.accept()

    async def push():
        n = 0
        while True:
            n += 1
            await websocket.send_text(json.dumps({"tick": n}))
            await asyncio.sleep(0.001)

    pusher = asyncio.create_task(push())
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                await websocket.close(1003, "text messages only")
                return
            try:
                json.loads(text)
            except ValueError:
                await websocket.close(1007, "malformed JSON")
                return
    except WebSocketDisconnect:
        pass
    finally:
        pusher.cancel()
