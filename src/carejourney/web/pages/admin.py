"""Admin: accounts (add, change, reset a password), for administrators only.

Roles, teams and rule sets are in `admin_roles.py`, `admin_teams.py` and `admin_rules.py`;
the pieces every admin page shares are here. An administrator whose own account is for one
LA manages only that LA's accounts (a regional server holds several LAs, each with its own
administrator), and nobody can take away their own administrator role or switch off their
own account, so an LA is never left without one by mistake. Every change is recorded in
the access log, in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import Connection, select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.store import access
from carejourney.store.tables import allocation
from carejourney.web.accounts import (
    Account,
    AccountError,
    accounts,
    create_account,
    get_account,
    set_password,
    update_account,
)
from carejourney.web.data import las_for
from carejourney.web.permissions import Forbidden, Viewer, allow, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

router = APIRouter()

Admin = Annotated[Viewer, allow(Role.ADMINISTRATOR)]

# The admin pages, as tabs under the menu's "Admin".
SECTIONS = (
    ("/admin", "Accounts"),
    ("/admin/roles", "Roles"),
    ("/admin/teams", "Teams and allocation"),
    ("/admin/rules", "Rule sets"),
)
_FLASH = "admin_flash"


def flash(request: Request, message: str) -> None:
    """A message for the next admin page (after a form's redirect)."""
    request.session[_FLASH] = message


def admin_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    viewer: Viewer,
    title: str,
    status_code: int = 200,
) -> Response:
    page = {
        "sections": SECTIONS,
        "here": request.url.path,
        "flash": request.session.pop(_FLASH, None),
        **context,
    }
    return render(request, template, page, viewer=viewer, title=title, status_code=status_code)


def manages(viewer: Viewer, account: Account) -> bool:
    """Whether this administrator looks after this account (theirs is for every LA, or the
    account is for their LA)."""
    mine = viewer.account.la
    return mine is None or account.la == mine


def _account_or_404(conn: Connection, viewer: Viewer, account_id: int) -> Account:
    account = get_account(conn, account_id)
    if account is None:
        raise HTTPException(404)
    if not manages(viewer, account):
        raise Forbidden("This account is for another LA; its own administrator manages it.")
    return account


def _choices(conn: Connection, viewer: Viewer) -> dict[str, Any]:
    """What the account form offers: roles, LAs, and the allocation lists' teams and workers
    (as suggestions: a list imported later may bring new ones)."""
    las = las_for(conn, viewer)
    names = select(allocation.c.team, allocation.c.worker).where(allocation.c.la.in_(las))
    rows = conn.execute(names.distinct()).all()
    return {
        "roles": list(Role),
        "las": las,
        "every_la": viewer.account.la is None,
        "teams": sorted({r.team for r in rows}),
        "workers": sorted({r.worker for r in rows if r.worker}),
    }


def _blank(value: str) -> str | None:
    return value.strip() or None


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountError("Choose a role.") from None


def _check_la(viewer: Viewer, la: str | None, las: list[str]) -> None:
    mine = viewer.account.la
    if mine is not None and la != mine:
        raise AccountError(f"You manage accounts for LA {mine} only: choose LA {mine}.")
    if la is not None and la not in las:
        raise AccountError(f"The database holds no LA {la}: choose one from the list.")


def _not_in_lists(conn: Connection, account: Account) -> str | None:
    """A word of warning when a team manager's team or practitioner's worker name is in no
    allocation list yet: they would see no children."""
    if account.role is Role.TEAM_MANAGER and account.team:
        column, value, what = allocation.c.team, account.team, f"team {account.team}"
    elif account.role is Role.PRACTITIONER and account.worker:
        column, value, what = allocation.c.worker, account.worker, f"worker {account.worker}"
    else:
        return None
    query = select(allocation.c.id).where(column == value).limit(1)
    if account.la is not None:
        query = query.where(allocation.c.la == account.la)
    if conn.execute(query).first() is not None:
        return None
    return (
        f"No allocation list names {what} yet, so {account.username} sees no children until "
        "one does. Check the spelling against the allocation list."
    )


@router.get("/admin")
def accounts_page(request: Request, viewer: Admin) -> Response:
    with engine_of(request).connect() as conn:
        held = [a for a in accounts(conn) if manages(viewer, a)]
    sso = request.app.state.settings.oidc is not None
    return admin_page(
        request,
        "admin.html.j2",
        {"accounts": held, "sso": sso},
        viewer=viewer,
        title="Admin: accounts",
    )


def _account_form(
    request: Request,
    viewer: Viewer,
    *,
    account: Account | None,
    form: dict[str, Any],
    errors: list[str],
    status: int = 200,
) -> Response:
    with engine_of(request).connect() as conn:
        choices = _choices(conn, viewer)
    if account is not None and account.la and account.la not in choices["las"]:
        choices["las"] = [*choices["las"], account.la]
    # A user name is typed by an administrator: escaped here, as the page title is shown as is.
    title = "Add an account" if account is None else Markup("Account: {}").format(account.username)
    return admin_page(
        request,
        "admin_account.html.j2",
        {
            "account": account,
            "form": form,
            "errors": errors,
            "is_self": account is not None and account.id == viewer.account.id,
            "sso": request.app.state.settings.oidc is not None,
            **choices,
        },
        viewer=viewer,
        title=title,
        status_code=status,
    )


@router.get("/admin/accounts/new")
def new_account_page(request: Request, viewer: Admin) -> Response:
    form = {"role": Role.PRACTITIONER.value, "la": viewer.account.la or ""}
    return _account_form(request, viewer, account=None, form=form, errors=[])


@router.post("/admin/accounts")
def add_account(
    request: Request,
    viewer: Admin,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    la: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    worker: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    sso_only: Annotated[bool, Form()] = False,
) -> Response:
    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "la": la,
        "team": team,
        "worker": worker,
        "email": email,
        "sso_only": sso_only,
    }
    try:
        with engine_of(request).begin() as conn:
            chosen = _role(role)
            _check_la(viewer, _blank(la), las_for(conn, viewer))
            if not sso_only and not password:
                raise AccountError(
                    "Give a password of at least 12 characters, or choose single sign-on only."
                )
            account = create_account(
                conn,
                username=username,
                display_name=display_name,
                role=chosen,
                by=viewer.who,
                password=None if sso_only else password,
                email=email,
                la=_blank(la),
                team=_blank(team) if chosen is Role.TEAM_MANAGER else None,
                worker=_blank(worker) if chosen is Role.PRACTITIONER else None,
            )
            access.record(
                conn,
                "added account",
                who=viewer.who,
                la=account.la,
                detail=f"{account.username} ({account.role.value})",
            )
            warning = _not_in_lists(conn, account)
    except AccountError as exc:
        return _account_form(
            request, viewer, account=None, form=form, errors=[str(exc)], status=400
        )
    flash(request, f"Added {account.username} ({account.role.value}). {warning or ''}".strip())
    return RedirectResponse("/admin", status_code=303)


def _form_of(account: Account) -> dict[str, Any]:
    return {
        "display_name": account.display_name,
        "role": account.role.value,
        "la": account.la or "",
        "team": account.team or "",
        "worker": account.worker or "",
        "email": account.email or "",
        "active": account.active,
    }


@router.get("/admin/accounts/{account}")
def account_page(request: Request, viewer: Admin, account: int) -> Response:
    with engine_of(request).connect() as conn:
        held = _account_or_404(conn, viewer, account)
    return _account_form(request, viewer, account=held, form=_form_of(held), errors=[])


def _changes(before: Account, after: Account) -> str:
    """What changed, in words, for the access log (never a password)."""
    said = []
    for field in ("display_name", "role", "la", "team", "worker", "email", "active"):
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            show = {None: "blank", True: "yes", False: "no"}
            old = show.get(old, getattr(old, "value", old))
            new = show.get(new, getattr(new, "value", new))
            said.append(f"{field.replace('_', ' ')} {old} -> {new}")
    return f"{before.username}: " + ("; ".join(said) or "no change")


@router.post("/admin/accounts/{account}")
def change_account(
    request: Request,
    viewer: Admin,
    account: int,
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    la: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    worker: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    active: Annotated[bool, Form()] = False,
) -> Response:
    form = {
        "display_name": display_name,
        "role": role,
        "la": la,
        "team": team,
        "worker": worker,
        "email": email,
        "active": active,
    }
    with engine_of(request).connect() as conn:
        before = _account_or_404(conn, viewer, account)
    try:
        with engine_of(request).begin() as conn:
            chosen = _role(role)
            if before.id == viewer.account.id and (
                chosen is not Role.ADMINISTRATOR or not active or _blank(la) != before.la
            ):
                raise AccountError(
                    "You cannot change your own role or LA, or switch off your own account: "
                    "ask another administrator."
                )
            _check_la(viewer, _blank(la), [*las_for(conn, viewer), *filter(None, [before.la])])
            after = update_account(
                conn,
                replace(
                    before,
                    display_name=display_name,
                    role=chosen,
                    la=_blank(la),
                    team=_blank(team) if chosen is Role.TEAM_MANAGER else None,
                    worker=_blank(worker) if chosen is Role.PRACTITIONER else None,
                    email=_blank(email),
                    active=active,
                ),
                by=viewer.who,
            )
            access.record(
                conn, "changed account", who=viewer.who, la=after.la, detail=_changes(before, after)
            )
            warning = _not_in_lists(conn, after)
    except AccountError as exc:
        return _account_form(
            request, viewer, account=before, form=form, errors=[str(exc)], status=400
        )
    flash(request, f"Saved the changes to {after.username}. {warning or ''}".strip())
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/accounts/{account}/password")
def reset_password(
    request: Request,
    viewer: Admin,
    account: int,
    password: Annotated[str, Form()] = "",
) -> Response:
    with engine_of(request).connect() as conn:
        held = _account_or_404(conn, viewer, account)
    try:
        with engine_of(request).begin() as conn:
            set_password(conn, held.id, password, by=viewer.who)
            access.record(conn, "reset password", who=viewer.who, la=held.la, detail=held.username)
    except AccountError as exc:
        return _account_form(
            request, viewer, account=held, form=_form_of(held), errors=[str(exc)], status=400
        )
    flash(request, f"Set a new password for {held.username}. Tell them it in person or by phone.")
    return RedirectResponse("/admin", status_code=303)
