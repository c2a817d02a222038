"""A correct FastAPI service: `wirefault audit` finds nothing."""

from common import correct_app

app = correct_app()
