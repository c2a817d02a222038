"""A users API written the way Starlette's "Schemas" page writes one: the
OpenAPI document comes from the endpoints' docstrings (YAML) and is served as
YAML, here at /openapi.yaml; there is no JSON document.

Planted mistake: a user id that names nobody raises KeyError, answered 500
(WF-HTTP-001). Only the YAML document tells the auditor about /users/{id}.
Run: uvicorn http_starlette_yaml:app --port PORT
"""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

schemas = SchemaGenerator(
    {"openapi": "3.0.0", "info": {"title": "Users API", "version": "1.0"}}
)

USERS = {1: {"id": 1, "username": "tom"}, 2: {"id": 2, "username": "lucy"}}


async def list_users(request):
    """
    responses:
      200:
        description: A list of users.
        examples:
          [{"id": 1, "username": "tom"}]
    """
    return JSONResponse(list(USERS.values()))


async def get_user(request):
    """
    parameters:
      - name: user_id
        in: path
        required: true
        schema:
          type: integer
    responses:
      200:
        description: A user.
    """
    user_id = request.path_params["user_id"]
    return JSONResponse(USERS[user_id])


async def openapi_schema(request):
    return schemas.OpenAPIResponse(request=request)


routes = [
    Route("/users", endpoint=list_users, methods=["GET"]),
    Route("/users/{user_id:int}", endpoint=get_user, methods=["GET"]),
    Route("/openapi.yaml", endpoint=openapi_schema, include_in_schema=False),
]

app = Starlette(routes=routes)
