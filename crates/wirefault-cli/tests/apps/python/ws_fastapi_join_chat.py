"""A chat room in the style of FastAPI's WebSocket tutorial, where a
client's first message is its name (the join step), and every message
after it is broadcast as "name: text".

Planted mistake: `receive_text()` raises `KeyError('text')` on a binary
frame, uvicorn drops TCP (the client sees 1006), and the dead client stays
in the room. The auditor reaches it alone and after the join. Found by
WF-WS-002 at warning (the fix: close with 1003).
Run: python3 -m uvicorn ws_fastapi_join_chat:app --port PORT
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
room: dict[WebSocket, str] = {}


async def broadcast(text: str):
    for connection in list(room):
        await connection.send_text(text)


@app.websocket("/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    try:
        name = await websocket.receive_text()
        room[websocket] = name
        await broadcast(f"{name} joined")
        while True:
            text = await websocket.receive_text()
            await broadcast(f"{name}: {text}")
    except WebSocketDisconnect:
        name = room.pop(websocket, None)
        if name is not None:
            await broadcast(f"{name} left")
