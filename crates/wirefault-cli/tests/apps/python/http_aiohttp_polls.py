"""A polls API in aiohttp's server tutorial style: a RouteTableDef, json
responses, `web.HTTPNotFound` for a missing question, aiohttp's stock
plain-text errors ("404: Not Found", "405: Method Not Allowed" with Allow).

Correct: no finding at warning or above is expected.
Run: python3 http_aiohttp_polls.py PORT
"""

import sys

from aiohttp import web

routes = web.RouteTableDef()
QUESTIONS = {1: {"id": 1, "text": "What's new?", "votes": 0}}


@routes.get("/")
async def index(request):
    return web.json_response({"questions": "/questions"})


@routes.get("/questions")
async def list_questions(request):
    return web.json_response(list(QUESTIONS.values()))


@routes.get(r"/questions/{question_id:\d+}")
async def get_question(request):
    question = QUESTIONS.get(int(request.match_info["question_id"]))
    if question is None:
        raise web.HTTPNotFound(text="Question not found")
    return web.json_response(question)


app = web.Application()
app.add_routes(routes)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
