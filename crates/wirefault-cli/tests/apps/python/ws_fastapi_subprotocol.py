"""A JSON socket that speaks only its subprotocol, `notes.v1`: a handshake
that does not ask for it is refused before the upgrade (403), as browsers'
`new WebSocket(url, "notes.v1")` always asks. Correct; the auditor reaches
its sessions only with --ws-protocol notes.v1.
"""

import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
PROTOCOL = "notes.v1"


@app.websocket("/notes")
async def notes(websocket: WebSocket):
    if PROTOCOL not in websocket.scope.get("subprotocols", []):
        await websocket.close(code=1008)
        return
    await websocket.accept(subprotocol=PROTOCOL)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is None:
                await websocket.close(1003, "text messages only")
                return
            try:
                note = json.loads(message["text"])
            except ValueError:
                await websocket.close(1007, "malformed JSON")
                return
            if not isinstance(note, dict) or not isinstance(note.get("title"), str):
                await websocket.send_json({"error": "a note needs a title"})
                continue
            await websocket.send_json({"saved": note["title"]})
    except WebSocketDisconnect:
        pass
