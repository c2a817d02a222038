"""Planted mistake: a notifications socket that authenticates with the
session cookie and never checks Origin. Any page the user visits can open
it with the user's cookie (cross-site WebSocket hijacking). Found by
WF-WS-001 as an error when the auditor is given the cookie. The page at
/ signs the visitor in (a demo: always as alice) with a SameSite=Lax
cookie, which WF-WS-001's context names.
"""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

app = FastAPI()
SESSIONS = {"s3cret": "alice"}

PAGE = """<!DOCTYPE html>
<html>
<body>
<ul id="notifications"></ul>
<script>
const ws = new WebSocket(`ws://${location.host}/notifications`);
ws.onmessage = (event) => {
    const item = document.createElement("li");
    item.textContent = event.data;
    document.getElementById("notifications").appendChild(item);
};
</script>
</body>
</html>
"""


@app.get("/", response_class=HTMLResponse)
async def page():
    response = HTMLResponse(PAGE)
    response.set_cookie(key="session", value="s3cret", httponly=True, samesite="lax")
    return response


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
