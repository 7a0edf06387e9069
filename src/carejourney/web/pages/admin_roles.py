"""Admin: the roles, what each may do, and which pages each may open.

The pages are read from the routes' own `allow` declarations (`templating.route_roles`),
so this table cannot drift from what the app actually lets each role do.
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from starlette.responses import Response

from carejourney.web.accounts import accounts
from carejourney.web.pages.admin import Admin, admin_page, manages
from carejourney.web.permissions import engine_of
from carejourney.web.roles import ChildScope, Role, scope_of
from carejourney.web.templating import NAVIGATION, route_roles

router = APIRouter()

SEES = {
    ChildScope.ALL: "Every child in their LA (every LA if their account is for all).",
    ChildScope.TEAM: "The children allocated to their team.",
    ChildScope.OWN: "The children allocated to them.",
    ChildScope.NONE: "No child by ID: figures, and lists by pseudonym.",
}


@router.get("/admin/roles")
def roles_page(request: Request, viewer: Admin) -> Response:
    with engine_of(request).connect() as conn:
        held = Counter(a.role for a in accounts(conn) if a.active and manages(viewer, a))
    rows = []
    for role in Role:
        pages = [
            item.label
            for item in NAVIGATION
            if role in (route_roles(request.app, item.path) or frozenset())
        ]
        rows.append(
            {
                "role": role.value,
                "does": role.description,
                "sees": SEES[scope_of(role)],
                "pages": pages,
                "accounts": held[role],
            }
        )
    return admin_page(
        request, "admin_roles.html.j2", {"rows": rows}, viewer=viewer, title="Admin: roles"
    )
