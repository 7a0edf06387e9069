"""Home: what needs attention today."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from carejourney.web.data import chosen_la, las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import ALL_ROLES
from carejourney.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, viewer: Annotated[Viewer, allow(*ALL_ROLES)]) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
    return render(request, "home.html.j2", {"las": las, "la": la}, viewer=viewer, title="Home")
