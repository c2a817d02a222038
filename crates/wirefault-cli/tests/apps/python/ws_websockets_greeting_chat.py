"""A JSON chat room on Python's `websockets`, in the style of its
tutorial: every client is greeted once on connect, then each `say`
message is broadcast to everyone.

Planted mistake (default): a message that is not JSON is skipped
silently, so a client with a bug never learns why nothing happens. The
greeting is not a push feed: silence after bad input is judged. Found by
WF-WS-003. Correct (`--correct`): such a message closes the session with
1007, and a binary one with 1003.

Run: python3 ws_websockets_greeting_chat.py PORT [--correct]
"""

import asyncio
import json
import sys

from websockets.asyncio.server import broadcast, serve
from websockets.frames import CloseCode

CORRECT = "--correct" in sys.argv[2:]
CLIENTS = set()


async def chat(websocket):
    CLIENTS.add(websocket)
    try:
        await websocket.send(json.dumps({"type": "welcome", "online": len(CLIENTS)}))
        async for message in websocket:
            if isinstance(message, bytes) and CORRECT:
                await websocket.close(CloseCode.UNSUPPORTED_DATA, "text messages only")
                return
            try:
                event = json.loads(message)
            except ValueError:
                if CORRECT:
                    await websocket.close(CloseCode.INVALID_DATA, "invalid JSON")
                    return
                continue
            if isinstance(event, dict) and event.get("type") == "say":
                text = str(event.get("text", ""))
                broadcast(CLIENTS, json.dumps({"type": "said", "text": text}))
            else:
                await websocket.send(json.dumps({"type": "error", "error": "unknown event"}))
    finally:
        CLIENTS.discard(websocket)


async def main(port):
    async with serve(chat, "127.0.0.1", port) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
