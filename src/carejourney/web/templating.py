"""Rendering pages: the Jinja2 templates, and what every page is given.

Every page gets the viewer, the navigation (only the pages their role may open, read from
the routes' own `allow` declarations, so the menu can never offer a page that refuses
them), the CSRF token for its forms, and the LAs the viewer may choose between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from carejourney.web.permissions import Allow, Viewer
from carejourney.web.routes import api_routes
from carejourney.web.security import CSRF_FIELD, csrf_token

__all__ = ["NAVIGATION", "NavItem", "render", "route_roles", "templates"]

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# The templates are *.html.j2, which Jinja's default (select_autoescape: .html, .htm, .xml)
# does not escape: every value would go into the page as markup.
templates.env.autoescape = True
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD


def _date(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


def _cell(value: object) -> str:
    """A table cell's text: dates as dd/mm/yyyy, blanks empty, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return _date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


templates.env.filters["date"] = _date
templates.env.filters["cell"] = _cell


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str


# The menu, in order; each shows only to roles its GET route allows.
NAVIGATION = (
    NavItem("/", "Home"),
    NavItem("/drift", "Drift list"),
    NavItem("/aims", "Aims"),
    NavItem("/timeliness", "Timeliness"),
    NavItem("/demand", "Demand"),
    NavItem("/audits", "Audits"),
    NavItem("/actions", "Actions"),
    NavItem("/alerts", "Alerts"),
    NavItem("/report", "Report"),
    NavItem("/data", "Data"),
    NavItem("/admin", "Admin"),
    NavItem("/access-log", "Access log"),
)


def route_roles(app: Any, path: str, method: str = "GET") -> frozenset[Any] | None:
    """The roles a route allows, from its `allow(...)` dependency; None if no such route."""
    for route_path, route in api_routes(app.router.routes):
        if route_path == path and method in (route.methods or ()):
            for dependency in route.dependant.dependencies:
                if isinstance(dependency.call, Allow):
                    return dependency.call.roles
            return frozenset()
    return None


def navigation(request: Request, viewer: Viewer | None) -> list[dict[str, Any]]:
    if viewer is None:
        return []
    items = []
    for item in NAVIGATION:
        roles = route_roles(request.app, item.path)
        if roles and viewer.role in roles:
            current = request.url.path == item.path or (
                item.path != "/" and request.url.path.startswith(item.path + "/")
            )
            items.append({"path": item.path, "label": item.label, "current": current})
    return items


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    viewer: Viewer | None = None,
    status_code: int = 200,
    title: str | None = None,
) -> Response:
    """The page, with what the base template needs."""
    page: dict[str, Any] = {
        "viewer": viewer,
        "nav": navigation(request, viewer),
        "csrf_token": csrf_token(request),
        "title": title,
    }
    page.update(context or {})
    return templates.TemplateResponse(request, template, page, status_code=status_code)
