"""A text echo on Python's `websockets` (asyncio API, as its quick
examples write a server) that keeps messages small.

Planted mistake (default): the handler drops a message over 64 KiB
silently, with no answer and no close; the client waits for an echo that
never comes. Found by WF-WS-003 (the fix: close with 1009).
Correct (`--correct`): the limit is `serve(max_size=...)`, and `websockets`
closes the session with 1009 itself.

Run: python3 ws_websockets_echo_limit.py PORT [--correct]
"""

import asyncio
import sys

from websockets.asyncio.server import serve

LIMIT = 64 * 1024


async def echo(websocket):
    async for message in websocket:
        if len(message) > LIMIT:
            continue
        await websocket.send(message)


async def main(port, correct):
    max_size = LIMIT if correct else 2**20
    async with serve(echo, "127.0.0.1", port, max_size=max_size) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), "--correct" in sys.argv[2:]))
