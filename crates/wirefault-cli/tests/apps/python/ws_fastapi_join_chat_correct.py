"""The join-first chat of ws_fastapi_join_chat.py, correct: it reads with
`receive()` and closes a session that sends binary with 1003 ("unsupported
data"), and removes a client from the room however its session ends.
Run: python3 -m uvicorn ws_fastapi_join_chat_correct:app --port PORT
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()
room: dict[WebSocket, str] = {}


async def broadcast(text: str):
    for connection in list(room):
        await connection.send_text(text)


async def next_text(websocket: WebSocket) -> str | None:
    """The next text message; `None` after closing a binary one with 1003."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    if message.get("text") is None:
        await websocket.close(status.WS_1003_UNSUPPORTED_DATA, "text messages only")
        return None
    return message["text"]


@app.websocket("/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    try:
        name = await next_text(websocket)
        if name is None:
            return
        room[websocket] = name
        await broadcast(f"{name} joined")
        while (text := await next_text(websocket)) is not None:
            await broadcast(f"{name}: {text}")
    except WebSocketDisconnect:
        pass
    finally:
        name = room.pop(websocket, None)
        if name is not None:
            await broadcast(f"{name} left")
