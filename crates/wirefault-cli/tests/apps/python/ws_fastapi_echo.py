"""FastAPI's WebSocket echo, as its tutorial writes it: text in, text out.

Correct for text: an anonymous socket (no cookie, no credentials), a
plain-text protocol. But `receive_text()` raises `KeyError('text')` on a
binary frame and uvicorn drops TCP: WF-WS-002 at warning (the fix: 1003). Run: python3 -m uvicorn ws_fastapi_echo:app --port PORT
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_text()
            await websocket.send_text(f"Message text was: {data}")
    except WebSocketDisconnect:
        pass
