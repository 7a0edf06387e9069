"""Quality assurance that closes the loop: case audits, the programme that chooses them,
the actions they lead to and the alerts IROs and CP chairs raise.

- `audits`: a case audit recorded (domain grades, overall grade, themes found, findings),
  moderated by a second person, listed by month, auditor or child.
- `importing`: the audit spreadsheet an LA already keeps (CSV or Excel), imported all or
  nothing; importing the same file again changes nothing.
- `programme`: audit programmes, the monthly samples drawn for them, and who audits what.
- `actions`: action plans from audits, themes, reports and alerts, with owners and due dates.
- `alerts`: management alerts about a child's plan, and the manager's response.

Audit templates and grading scales are configuration: `carejourney.config.audits`.
"""
