"""Planted mistake: the handler reads `message["symbol"]` without a check;
a message without the field raises, and the session ends without a close
frame the client can use. Only a variant of a valid sample shows it (give
the auditor one with --ws-message). Found by WF-WS-002.
"""

import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/orders")
async def orders(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            try:
                message = json.loads(text)
            except ValueError:
                await websocket.close(1007, "malformed JSON")
                return
            if not isinstance(message, dict):
                await websocket.close(1007, "expected an object")
                return
            symbol = message["symbol"]
            await websocket.send_json({"accepted": symbol})
    except WebSocketDisconnect:
        pass
