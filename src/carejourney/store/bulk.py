"""Write whole tables at once: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, Table


def insert_frame(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Insert every row of `frame` (columns named as the table's) inside the caller's
    transaction. Dates go as ISO text, which both databases read as dates."""
    if frame.is_empty():
        return 0
    frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    columns = frame.columns
    rows = frame.rows()
    driver: Any = conn.connection.driver_connection
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    name = conn.dialect.identifier_preparer.format_table(table)
    if conn.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        cursor = driver.cursor()
        try:
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)
        finally:
            cursor.close()
    return len(rows)
