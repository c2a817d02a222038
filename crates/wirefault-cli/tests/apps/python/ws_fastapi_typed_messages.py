"""A market-data socket in the style of FastAPI's WebSocket tutorial whose
messages carry a `type`: `quote` looks a price up with a bound parameter,
`history` builds its SQL with an f-string and closes the session with the
database error as the reason.

Planted mistake: only the `history` message reaches the f-string, so the
auditor finds it only when given a sample of each type (--ws-message is
repeatable per path). Found by WF-WS-006. Binary frames are closed with
1003, text that is not a JSON object with 1007.
Run: python3 -m uvicorn ws_fastapi_typed_messages:app --port PORT
"""

import json
import sqlite3

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()
db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("CREATE TABLE trades (symbol TEXT, day TEXT, price REAL)")
db.execute("INSERT INTO trades VALUES ('ACME', '2026-01-02', 12.5)")


def quote(symbol: str):
    row = db.execute("SELECT price FROM trades WHERE symbol = ? ORDER BY day DESC", (symbol,))
    price = row.fetchone()
    return {"type": "quote", "symbol": symbol, "price": price[0] if price else None}


def history(symbol: str):
    rows = db.execute(f"SELECT day, price FROM trades WHERE symbol = '{symbol}'").fetchall()
    return {"type": "history", "symbol": symbol, "days": [list(r) for r in rows]}


HANDLERS = {"quote": quote, "history": history}


@app.websocket("/market")
async def market(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is None:
                await websocket.close(status.WS_1003_UNSUPPORTED_DATA, "text messages only")
                return
            try:
                request = json.loads(message["text"])
                handler = HANDLERS[request["type"]]
                symbol = str(request["symbol"])
            except (ValueError, KeyError, TypeError):
                await websocket.close(status.WS_1007_INVALID_FRAME_PAYLOAD_DATA, "expected {\"type\", \"symbol\"}")
                return
            try:
                await websocket.send_json(handler(symbol))
            except sqlite3.Error as e:
                await websocket.close(status.WS_1011_INTERNAL_ERROR, f"query failed: {e}"[:120])
                return
    except WebSocketDisconnect:
        pass
