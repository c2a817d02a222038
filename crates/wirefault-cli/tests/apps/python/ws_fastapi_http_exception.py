"""Planted mistake: `raise HTTPException` after `accept()`, for a message
that is not JSON. There is no HTTP response left to send: the connection is
dropped. Found by WF-WS-002.
"""

import json

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            try:
                json.loads(text)
            except ValueError:
                raise HTTPException(status_code=400, detail="malformed JSON")
            await websocket.send_json({"ok": True})
    except WebSocketDisconnect:
        pass
