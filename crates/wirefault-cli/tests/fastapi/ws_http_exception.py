"""`raise HTTPException` inside a WebSocket handler, after accept().

There is no HTTP response any more once the connection is upgraded: the
client gets no close code and reason it can use.
"""

import json

from fastapi import FastAPI, HTTPException, WebSocket

from common import add_cors, add_problem_handlers, add_routes, refuse_foreign_origin

app = FastAPI()
add_problem_handlers(app)
add_cors(app)
add_routes(app)


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    if await refuse_foreign_origin(websocket):
        return
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        try:
            json.loads(text)
        except ValueError:
            raise HTTPException(status_code=400, detail="malformed JSON")
        await websocket.send_text('{"event":"pong"}')
