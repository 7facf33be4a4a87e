"""Many rows into one table inside the caller's transaction: PostgreSQL ``COPY``, else one
executemany.

A graduating year writes ~150,000 rows into each of five tables. psycopg's executemany sends
one ``INSERT`` per row (pipelined, prepared), which the server plans and executes one by one;
``COPY ... FROM STDIN`` streams the rows into a single command, several times cheaper on both
sides. It runs on the session's own connection, so it belongs to the session's transaction
(and savepoints) exactly as an ``INSERT`` would: a rollback removes the rows.

A constraint violation raises SQLAlchemy's ``IntegrityError`` on both backends, so callers
that retry on a collision (status index allocation) need not know which path ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, each a column of ``table``) in the session's
    current transaction.

    Raises:
        IntegrityError: a row violates a constraint (nothing of the statement is inserted).
        ValueError: a key is not a column of ``table``, or the rows have different keys.
    """
    if not rows:
        return
    names = list(rows[0])
    unknown = [name for name in names if name not in table.columns]
    if unknown:
        raise ValueError(f"not columns of {table.name}: {unknown}")
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    driver: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if len(row) != len(names):
                    raise ValueError(f"rows for {table.name} must all have the same columns")
                copy.write_row([row[name] for name in names])
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


__all__ = ["insert_rows"]
