"""The audit pages: the quarter at a glance checked by hand, programmes set up and samples
drawn, an audit filled in, saved, completed and moderated, the list, the templates and the
spreadsheet import, all or nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from carejourney.config.audits import load_template
from carejourney.measures.audits import audit_frames, summarise_audits
from carejourney.quality.actions import ActionInput, Origin, add_action
from carejourney.quality.audits import (
    AuditInput,
    DomainGrade,
    Moderation,
    Source,
    Status,
    get_audit,
    list_audits,
    record_audit,
    record_audits,
    update_audit,
)
from carejourney.quality.programme import Method, Programme, add_programme, get_programme
from carejourney.store.tables import access_log, audit, audit_programme, audit_sample
from carejourney.synth.audits import synthetic_audits, write_audit_sheet
from carejourney.web.roles import ALL_ROLES, Role
from carejourney.web.templating import route_roles
from tests.web.conftest import LA, Web

AS_AT = "30/11/2026"
# Good (g) or requires improvement (r) audits each month, July to November 2026. Worked
# by hand: July to September (the quarter before) 2 + 2 + 3 = 7 good of 18, 38.9%, shown
# "39%"; October and November (this quarter, to 30 November) 4 + 5 = 9 good of 12, 75%;
# the change +36.1 percentage points, shown "+36".
MONTHS = {
    dt.date(2026, 7, 1): "ggrrrr",
    dt.date(2026, 8, 1): "ggrrrr",
    dt.date(2026, 9, 1): "gggrrr",
    dt.date(2026, 10, 1): "ggggrr",
    dt.date(2026, 11, 1): "gggggr",  # the last g: the auditor said RI, the moderator good
}
GRADE = {"g": "good", "r": "requires-improvement"}


def hand_audits() -> list[AuditInput]:
    """30 audits of children H001..H030: MONTHS' grades, themes in October and November."""
    out = []
    n = 0
    for month, grades in MONTHS.items():
        for i, letter in enumerate(grades):
            n += 1
            moderated = month.month == 11 and i == 4
            development = ("drift in care planning",) if month.month >= 10 and i < 4 else ()
            if month.month == 11 and i == 5:
                development += ("no contingency plan",)
            out.append(
                AuditInput(
                    child=f"H{n:03d}",
                    auditor="Alex Morgan" if i % 2 else "Bea Okafor",
                    audit_date=month + dt.timedelta(days=9),
                    overall="requires-improvement" if moderated else GRADE[letter],
                    team="North" if i < 3 else "South",
                    grades=(DomainGrade("voice_of_the_child", GRADE[letter]),),
                    strengths=("child seen and listened to",) if month.month >= 10 else (),
                    developments=development,
                    moderation=Moderation("Quinn QA-Lead", "good") if moderated else None,
                )
            )
    return out


@pytest.fixture
def audited(web: Web) -> Web:
    with web.app.state.engine.begin() as conn:
        record_audits(conn, LA, hand_audits(), who="tests", source=Source.SYNTHETIC)
    return web


def rows(html: str, caption_starts: str) -> list[list[str]]:
    """The body rows of the table whose caption starts so, as cell texts."""
    table = html.split(f"<caption>{caption_starts}", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def post(web: Web, client: TestClient, path: str, data: dict[str, object]) -> object:
    token = web.token(client, "/audits/list")
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def logged(web: Web, action: str) -> list[tuple[str, str | None, str | None]]:
    with web.app.state.engine.connect() as conn:
        query = select(access_log.c.who, access_log.c.child, access_log.c.detail).where(
            access_log.c.action == action
        )
        return [tuple(r) for r in conn.execute(query.order_by(access_log.c.id))]


# --- the quarter at a glance ----------------------------------------------------------------


def test_every_role_sees_the_quarter_page(audited: Web) -> None:
    for role in ALL_ROLES:
        page = audited.client_as(role).get(f"/audits?as_at={AS_AT}")
        assert page.status_code == 200, role
        assert "Grade trend" in page.text
        assert '<a href="/audits" aria-current="page">Audits</a>' in page.text  # the menu


def test_the_quarters_figures_are_worked_out_as_by_hand(audited: Web) -> None:
    page = audited.client_as(Role.QA_LEAD).get(f"/audits?as_at={AS_AT}").text
    assert '<span class="value">75%</span> good or better this quarter' in page
    assert "(39% the quarter before: +36 percentage points)" in page
    assert '<span class="value">30</span> audits completed' in page
    assert rows(page, "Audits good or better, by month") == [
        ["July 2026", "6", "2", "4", "33%"],
        ["August 2026", "6", "2", "4", "33%"],
        ["September 2026", "6", "3", "3", "50%"],
        ["October 2026", "6", "4", "2", "67%"],
        ["November 2026", "6", "5", "1", "83%"],  # the moderated audit counts as good
    ]
    # Voice of the child was graded as each audit overall (the moderation is the audit's
    # own, not the domain's): 2 + 2 + 3 + 4 + 5 good of 30 = 16, 53%.
    assert rows(page, "Domains good or better") == [["Voice of the child", "30", "16", "14", "53%"]]
    # This quarter, October and November: 8 audits found drift, 1 no contingency plan; 12
    # found the child seen and listened to.
    assert rows(page, "Areas for development this quarter") == [
        ["drift in care planning", "8", "67%"],
        ["no contingency plan", "1", "8%"],
    ]
    assert rows(page, "Strengths this quarter") == [["child seen and listened to", "12", "100%"]]
    assert rows(page, "Areas for development by quarter") == [
        ["drift in care planning", "0", "8"],
        ["no contingency plan", "0", "1"],
    ]
    assert "July to September 2026</th>" in page and "October to November 2026</th>" in page
    # 1 audit moderated, graded differently, across the line.
    assert "Audits of the 12 months moderated: 1." in page
    assert "in 0 (0%); in 1 the moderator's grade crossed the line" in page


def test_the_chart_shows_with_its_words_and_a_new_phase(audited: Web) -> None:
    page = audited.client_as(Role.MANAGER).get(f"/audits?as_at={AS_AT}&phase_from=01/10/2026")
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text
    assert "What the chart shows" in page.text
    assert "New phase from October 2026" in page.text  # marked on the chart
    with audited.app.state.engine.connect() as conn:
        frames = audit_frames(conn, LA)
    summary = summarise_audits(
        frames,
        load_template("case-audit"),
        as_at=dt.date(2026, 11, 30),
        months=12,
        phase_from=dt.date(2026, 10, 1),
    )
    signals = page.text.split("<h3>Signals</h3>", 1)[1].split("</ul>", 1)[0]
    shown = [re.sub(r"<[^>]+>", "", s).strip() for s in re.findall(r"<li>(.*?)</li>", signals)]
    assert shown == [s.replace("'", "&#39;").replace('"', "&#34;") for s in summary.trend.words]


def test_small_counts_and_the_chart_are_hidden_from_the_analyst(audited: Web) -> None:
    page = audited.client_as(Role.ANALYST).get(f"/audits?as_at={AS_AT}").text
    assert "Counts below 5 are shown as [c]" in page
    assert "The chart is not shown to your role" in page and "<svg" not in page
    months = rows(page, "Audits good or better, by month")
    assert months[0] == ["July 2026", "6", "[c]", "[c]", "[c]"]
    assert months[3] == ["October 2026", "6", "[c]", "[c]", "[c]"]
    for caption in ("Audits good or better", "Domains", "Areas for development"):
        for row in rows(page, caption):
            for cell in row:
                assert not (cell.isdigit() and 0 < int(cell) < 5), (caption, row)
    # The exact figures are the QA lead's: they see every child.
    assert "[c]" not in audited.client_as(Role.QA_LEAD).get(f"/audits?as_at={AS_AT}").text


def test_overdue_actions_are_counted(audited: Web) -> None:
    with audited.app.state.engine.begin() as conn:
        (first,) = list_audits(conn, LA, month=dt.date(2026, 7, 1))[:1]
        for due in (dt.date(2026, 9, 30), dt.date(2026, 12, 31)):
            add_action(
                conn, LA, ActionInput("Training", "Sam Lee", due, Origin.AUDIT, audit_id=first.id)
            )
    page = audited.client_as(Role.QA_LEAD).get(f"/audits?as_at={AS_AT}").text
    assert '<span class="value">1</span> overdue action' in page  # due 30/09: overdue


def test_a_date_that_is_not_a_date_says_so(audited: Web) -> None:
    page = audited.client_as(Role.QA_LEAD).get("/audits?as_at=31/13/2026")
    assert page.status_code == 400
    assert "As at: enter a real date written dd/mm/yyyy" in page.text


def test_with_no_audits_the_page_says_so(web: Web) -> None:
    page = web.client_as(Role.QA_LEAD).get("/audits")
    assert page.status_code == 200
    assert "There is no chart yet" in page.text


# --- programmes and samples -----------------------------------------------------------------

PROGRAMME = {
    "name": "monthly-looked-after",
    "title": "Monthly audit of children looked after",
    "template": "case-audit",
    "per_month": "6",
    "method": "stratified",
    "trigger": "",
    "starts": "10/2025",
}


def test_the_qa_lead_sets_up_a_programme_and_draws_a_sample(web: Web) -> None:
    qa = web.client_as(Role.QA_LEAD)
    reply = post(web, qa, "/audits/programmes", PROGRAMME)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/audits/programmes/monthly-looked-after?added=1"
    drawn = post(
        web,
        qa,
        "/audits/programmes/monthly-looked-after/draw",
        {"month": "11/2025", "auditors": "Alex Morgan\nBea Okafor\n\nAlex Morgan", "seed": ""},
    )
    assert drawn.status_code == 303
    assert drawn.headers["location"] == (
        "/audits/programmes/monthly-looked-after?month=2025-11&drawn=1#sample"
    )
    page = qa.get(drawn.headers["location"]).text
    with web.app.state.engine.connect() as conn:
        programme = get_programme(conn, LA, "monthly-looked-after")
        sample = conn.execute(select(audit_sample)).one()
        audits = list_audits(conn, LA, month=dt.date(2025, 11, 1))
    assert (sample.seed, sample.size, sample.drawn_by) == (20251101, 6, "qalead")
    assert programme.stratify_by == "team"
    assert f"<strong>How it was drawn:</strong> {sample.method_note}" in page.replace("&#39;", "'")
    assert "6 children drawn at random from the" in sample.method_note
    assert "stratified by team" in sample.method_note and "seed 20251101." in sample.method_note
    # Two auditors (one named twice), three audits each, all assigned.
    assert sorted(a.auditor for a in audits) == ["Alex Morgan"] * 3 + ["Bea Okafor"] * 3
    assert {a.status for a in audits} == {Status.ASSIGNED}
    listed = rows(page, "The November 2025 sample")
    assert sorted(r[1] for r in listed) == sorted(a.child for a in audits)
    assert sorted(c for _, c, _ in logged(web, "viewed audit sample")) == sorted(
        a.child for a in audits
    )
    # The list of programmes shows its schedule.
    programmes = rows(qa.get("/audits/programmes").text, "Audit programmes of LA 999")
    assert programmes[0][0] == "Monthly audit of children looked after (monthly-looked-after)"
    assert programmes[0][1] == "children in care at random, stratified by team"
    assert programmes[0][5:] == ["1", "0 of 6"]


def test_a_month_drawn_already_is_drawn_again_only_when_asked(web: Web) -> None:
    qa = web.client_as(Role.QA_LEAD)
    post(web, qa, "/audits/programmes", PROGRAMME)
    draw = {"month": "11/2025", "auditors": "Alex Morgan", "seed": "7"}
    path = "/audits/programmes/monthly-looked-after/draw"
    assert post(web, qa, path, draw).status_code == 303
    again = post(web, qa, path, draw)
    assert again.status_code == 400
    assert "To draw it again, replacing the audits not yet started" in again.text
    redrawn = post(web, qa, path, {**draw, "seed": "8", "again": "yes"})
    assert redrawn.status_code == 303
    assert "kept=0&removed=6" in redrawn.headers["location"]
    with web.app.state.engine.connect() as conn:
        assert conn.execute(select(audit_sample.c.seed)).scalar_one() == 8
        assert conn.execute(select(func.count()).select_from(audit)).scalar_one() == 6


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"name": "Monthly LAC"}, "programme-name", "Short name: Use lower-case letters"),
        ({"per_month": "none"}, "programme-per_month", "Audits a month: Give a whole number"),
        ({"starts": "13/2026"}, "programme-starts", "First month: Give the first month"),
        ({"method": "drift"}, "programme-trigger", "Trigger: A drift programme names"),
        (
            {"method": "drift", "trigger": "late: england/x"},
            "programme-form",
            "A drift programme&#39;s trigger starts with a drift status",
        ),
    ],
)
def test_a_programme_that_cannot_be_set_up_says_why_and_stores_nothing(
    web: Web, change: dict[str, str], field: str, says: str
) -> None:
    qa = web.client_as(Role.QA_LEAD)
    reply = post(web, qa, "/audits/programmes", {**PROGRAMME, **change})
    assert reply.status_code == 400
    assert f'<li><a href="#{field}">{says}' in reply.text
    assert 'value="Monthly audit of children looked after"' in reply.text  # kept for retyping
    with web.app.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_programme)).scalar_one() == 0


def test_managers_read_programmes_and_others_are_refused(web: Web) -> None:
    with web.app.state.engine.begin() as conn:
        add_programme(
            conn,
            LA,
            Programme("monthly", "Monthly", "case-audit", 4, Method.RANDOM, dt.date(2025, 10, 1)),
        )
    manager = web.client_as(Role.MANAGER).get("/audits/programmes/monthly")
    assert manager.status_code == 200
    assert (
        "Draw the sample" not in manager.text
        and '<form method="post" action="/audits/p' not in manager.text
    )
    assert web.client_as(Role.TEAM_MANAGER).get("/audits/programmes").status_code == 403
    assert web.client_as(Role.QA_LEAD).get("/audits/programmes/no-such").status_code == 404


# --- an audit, filled in ---------------------------------------------------------------------


def assigned(web: Web, auditor: str = "Pat Practitioner", child: str = "C0001") -> int:
    with web.app.state.engine.begin() as conn:
        stored = record_audit(
            conn,
            LA,
            AuditInput(
                child=child,
                auditor=auditor,
                month=dt.date(2026, 11, 1),
                status=Status.ASSIGNED,
                team="North",
            ),
            who="tests",
        )
    return stored.id


def complete(web: Web, number: int, overall: str) -> None:
    """Complete audit `number` with the overall grade `overall`, as on 5 November 2026."""
    with web.app.state.engine.begin() as conn:
        stored = get_audit(conn, number).as_input()
        done = replace(
            stored, status=Status.COMPLETED, audit_date=dt.date(2026, 11, 5), overall=overall
        )
        update_audit(conn, number, done, who="tests")


def test_an_auditor_saves_then_completes_an_audit(web: Web) -> None:
    number = assigned(web)
    client = web.client_as(Role.PRACTITIONER)
    page = client.get(f"/audits/{number}").text
    assert "<legend>Voice of the child</legend>" in page
    assert "Is the child seen, and seen alone, as often as their plan says?" in page
    saved = post(
        web,
        client,
        f"/audits/{number}",
        {
            "action": "save",
            "grade-voice_of_the_child": "good",
            "note-voice_of_the_child": "Seen alone monthly",
            "strength": ["child seen and listened to", "life story work"],
            "development": "chronology out of date",
            "other_developments": "step-down plan unclear; ",
            "findings": "Work is purposeful.",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/audits/{number}?done=saved"
    with web.app.state.engine.connect() as conn:
        stored = get_audit(conn, number)
    assert stored.status is Status.IN_PROGRESS and stored.audit_date is None
    assert stored.grades == (DomainGrade("voice_of_the_child", "good", "Seen alone monthly"),)
    assert stored.strengths == ("child seen and listened to", "life story work")
    assert stored.developments == ("chronology out of date", "step-down plan unclear")
    assert stored.new_themes == ("step-down plan unclear",)
    again = client.get(f"/audits/{number}?done=saved").text
    assert "The audit was saved." in again
    assert 'value="step-down plan unclear"' in again  # new themes come back as "other"
    completed = post(
        web,
        client,
        f"/audits/{number}",
        {"action": "complete", "overall": "good", "audit_date": "", "strength": "life story work"},
    )
    assert completed.status_code == 303
    with web.app.state.engine.connect() as conn:
        stored = get_audit(conn, number)
    assert stored.status is Status.COMPLETED
    assert stored.audit_date == dt.date.today() and stored.overall == "good"
    assert stored.strengths == ("life story work",) and stored.grades == ()
    assert logged(web, "changed audit")[-1][:2] == ("practitioner", "C0001")


def test_an_audit_with_problems_says_so_beside_each_field_and_stores_nothing(web: Web) -> None:
    number = assigned(web)
    client = web.client_as(Role.PRACTITIONER)
    reply = post(
        web,
        client,
        f"/audits/{number}",
        {
            "action": "complete",
            "audit_date": "31/02/2026",
            "grade-planning": "excellent",
            "note-timeliness": "no grade",
            "findings": "Kept for retyping",
        },
    )
    assert reply.status_code == 400
    page = reply.text
    assert '<a href="#audit_date">Date completed: Enter a real date' in page
    assert '<a href="#overall">Overall grade: Choose the overall grade' in page
    assert '<a href="#grade-planning">Planning: Choose one of the grades' in page
    assert '<a href="#grade-timeliness">Timeliness: Choose a grade for the note' in page
    assert 'id="audit_date-error"' in page and 'aria-invalid="true"' in page
    assert ">Kept for retyping</textarea>" in page
    with web.app.state.engine.connect() as conn:
        assert get_audit(conn, number).status is Status.ASSIGNED
    future = post(
        web,
        client,
        f"/audits/{number}",
        {"action": "complete", "overall": "good", "audit_date": "01/01/2099"},
    )
    assert "cannot be after today" in future.text


def test_the_qa_lead_moderates_but_never_their_own_audit(web: Web) -> None:
    number = assigned(web)
    complete(web, number, "requires-improvement")
    qa = web.client_as(Role.QA_LEAD)
    assert f'action="/audits/{number}/moderation"' in qa.get(f"/audits/{number}").text
    missing = post(web, qa, f"/audits/{number}/moderation", {"moderated_grade": ""})
    assert missing.status_code == 400 and "Moderated grade: Choose the grade" in missing.text
    done = post(
        web,
        qa,
        f"/audits/{number}/moderation",
        {"moderated_grade": "good", "moderation_note": "Impact clear"},
    )
    assert done.status_code == 303
    with web.app.state.engine.connect() as conn:
        moderated = get_audit(conn, number)
    assert moderated.moderation is not None
    assert (moderated.moderation.moderator, moderated.effective_grade) == ("Quinn QA-Lead", "good")
    page = qa.get(f"/audits/{number}?done=moderated").text
    assert "Moderated by Quinn QA-Lead" in page and "the auditor's: Requires improvement" in page
    own = assigned(web, auditor="qalead", child="C0002")
    complete(web, own, "good")
    refused = post(web, qa, f"/audits/{own}/moderation", {"moderated_grade": "good"})
    assert refused.status_code == 400 and "You audited this case" in refused.text


def test_the_audit_links_to_adding_an_action_and_lists_its_actions(web: Web) -> None:
    number = assigned(web)
    with web.app.state.engine.begin() as conn:
        add_action(
            conn,
            LA,
            ActionInput(
                "Update the chronology",
                "Sam Lee",
                dt.date(2026, 12, 1),
                Origin.AUDIT,
                audit_id=number,
            ),
        )
    page = web.client_as(Role.QA_LEAD).get(f"/audits/{number}").text
    assert rows(page, f"Actions from audit {number}") == [
        ["Update the chronology", "Sam Lee", "01/12/2026", "open"]
    ]
    # The link to E2's form, offered when the app has it and lets the QA lead use it.
    offered = Role.QA_LEAD in (route_roles(web.app, "/actions/new") or ())
    assert (f'href="/actions/new?audit={number}"' in page) is offered


# --- the list, the templates, the import --------------------------------------------------------


def test_my_audits_lists_only_mine_and_logs_the_children_named(audited: Web) -> None:
    number = assigned(audited)
    client = audited.client_as(Role.PRACTITIONER)
    page = client.get("/audits/list?mine=1")
    assert page.status_code == 200
    assert rows(page.text, "Audits assigned to you") == [
        [
            f"Audit {number}",
            "November 2026",
            "C0001",
            "North",
            "Pat Practitioner",
            "assigned",
            "",
            "",
        ]
    ]
    assert logged(audited, "listed audits")[-1] == ("practitioner", "C0001", "audit list, page 1")
    qa = audited.client_as(Role.QA_LEAD)
    july = rows(qa.get("/audits/list?month=2026-07&status=completed").text, "Audits, newest")
    assert len(july) == 6 and {r[1] for r in july} == {"July 2026"}
    assert sorted(r[7] for r in july) == ["Good"] * 2 + ["Requires improvement to be good"] * 4
    moderated = rows(qa.get("/audits/list?month=2026-11&auditor=Bea+Okafor").text, "Audits, newest")
    assert [r[7] for r in moderated] == [
        "Good",
        "Good",
        "Good (moderated)",
    ]


def test_the_templates_page_shows_each_template_read_only(web: Web) -> None:
    page = web.client_as(Role.ANALYST).get("/audits/templates")
    assert page.status_code == 200
    assert "Case audit (case-audit)" in page.text
    assert rows(page.text, "Grades of Ofsted&#39;s four grades")[2] == [
        "Requires improvement to be good",
        "requires-improvement, RI",
        "not yet good enough",
    ]
    assert (
        "CAREJOURNEY_AUDIT_TEMPLATES" in page.text
        and '<form method="post" action="/audits' not in page.text
    )


def test_the_spreadsheet_is_imported_all_or_nothing(web: Web, tmp_path: Path) -> None:
    audits = synthetic_audits(
        seed=3,
        la=LA,
        children=[(f"S{i:03d}", "North") for i in range(10)],
        first_month=dt.date(2026, 9, 1),
        months=2,
        per_month=4,
    )
    sheet = write_audit_sheet(tmp_path / "audits.csv", audits)
    qa = web.client_as(Role.QA_LEAD)
    token = web.token(qa, "/audits/import")

    def upload(name: str, data: bytes) -> object:
        return qa.post(
            "/audits/import",
            data={"csrf_token": token, "template": "case-audit"},
            files={"file": (name, data, "text/csv")},
        )

    stored = upload("audits.csv", sheet.read_bytes())
    assert stored.status_code == 200
    assert "The audits in audits.csv were stored: 8 audits added, 0 updated" in stored.text
    again = upload("audits.csv", sheet.read_bytes())
    assert "0 audits added, 0 updated, 8 already held and unchanged" in again.text
    broken = sheet.read_text().replace("Good", "Grand", 1)
    refused = upload("broken.csv", broken.encode())
    assert refused.status_code == 400
    assert "The audits were not imported" in refused.text
    assert "<td>Grand</td>" in refused.text  # the QA lead sees values
    assert "Not a grade on the scale of the template case-audit" in refused.text
    with web.app.state.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit)).scalar_one() == 8
    wrong = upload("audits.pdf", b"%PDF")
    assert wrong.status_code == 400 and "is not a CSV or Excel file" in wrong.text
    assert [d for _, _, d in logged(web, "uploaded audits")] == [
        "stored: audits.csv, 8 added, 0 updated, 0 unchanged",
        "stored: audits.csv, 0 added, 0 updated, 8 unchanged",
        "refused: broken.csv, 1 error",
        "refused before reading: audits.pdf",
    ]
    assert web.client_as(Role.MANAGER).get("/audits/import").status_code == 403


def test_an_audit_whose_template_is_gone_is_read_only(web: Web) -> None:
    number = assigned(web)
    with web.app.state.engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.id == number).values(template="gone-template"))
    qa = web.client_as(Role.QA_LEAD)
    page = qa.get(f"/audits/{number}").text
    assert "The audit's template (gone-template) cannot be found" in page.replace("&#39;", "'")
    assert f'action="/audits/{number}"' not in page
    reply = post(web, qa, f"/audits/{number}", {"action": "save", "findings": "x"})
    assert reply.status_code == 400 and "so the audit cannot be changed" in reply.text
    with web.app.state.engine.connect() as conn:
        assert get_audit(conn, number).findings is None
