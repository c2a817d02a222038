"""Planted mistake: a quote service that builds its SQL with an f-string
and closes the session with the database error as the reason. Only a
message with a quote in `symbol` shows it (give the auditor a sample with
--ws-message). Found by WF-WS-006.
"""

import json
import sqlite3

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("CREATE TABLE quotes (symbol TEXT, price REAL)")
db.execute("INSERT INTO quotes VALUES ('ACME', 12.5)")


@app.websocket("/quotes")
async def quotes(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            try:
                request = json.loads(await websocket.receive_text())
                symbol = request["symbol"]
            except (ValueError, KeyError, TypeError, KeyError):
                await websocket.close(1007, "expected {\"symbol\": ...}")
                return
            try:
                row = db.execute(f"SELECT price FROM quotes WHERE symbol = '{symbol}'").fetchone()
            except sqlite3.Error as e:
                await websocket.close(1011, f"query failed: {e}"[:120])
                return
            await websocket.send_json({"symbol": symbol, "price": row[0] if row else None})
    except WebSocketDisconnect:
        pass
