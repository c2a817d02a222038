"""Planted mistake: a notifications socket that authenticates with the
session cookie and never checks Origin. Any page the user visits can open
it with the user's cookie (cross-site WebSocket hijacking). Found by
WF-WS-001 as an error when the auditor is given the cookie.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
SESSIONS = {"s3cret": "alice"}


@app.websocket("/notifications")
async def notifications(websocket: WebSocket):
    user = SESSIONS.get(websocket.cookies.get("session", ""))
    if user is None:
        await websocket.close(code=1008)
        return
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"{user}: {text}")
    except WebSocketDisconnect:
        pass
