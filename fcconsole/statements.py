"""SQL the hot paths run on every call, built once per process instead of by the ORM each time.

Building a statement through the ORM (lookups, compiler, a placeholder and a conversion per value)
cost more CPU than PostgreSQL spent running it, on every call (issue 18, bench/RESULTS.md). These
write exactly what the ORM's `update()` and `bulk_create()` would; values are prepared the way the
ORM prepares them (`Field.pre_save`, `get_db_prep_save`), so a field's own conversion still applies.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def default_connection():
    """The default database's connection wrapper, to look up once per statement: `django.db.connection`
    is a proxy that looks it up again (a context-local read) on every attribute, and preparing one
    submitted row's values read it about 50 times (60 us with the proxy, 33 us with the wrapper in
    hand; issue 18)."""
    return connections[DEFAULT_DB_ALIAS]


def columns(fields, table: str) -> list:
    """(attname, column, converters) of each field: what `from_db` needs to read its values.

    The converters are the ORM's for that column: the backend's (SQLite hands back a UUID as hex
    text and a datetime without its zone) followed by the field's own.
    """
    connection = default_connection()
    found = []
    for field in fields:
        col = field.get_col(table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        found.append((field.attname, col, converters))
    return found


def converted(columns, values) -> list:
    """A raw row's `values`, each converted as the ORM converts that column's."""
    connection = default_connection()
    out = []
    for (_, col, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        out.append(value)
    return out


def from_db(model, columns, values, db: str):
    """An instance of `model` from a raw row's `values`, converted as the ORM converts them."""
    return model.from_db(db, [name for name, _, _ in columns], converted(columns, values))


@cache
def _update_sql(model, names: tuple[str, ...], returning: tuple[str, ...] = ()) -> tuple[str, list]:
    """`UPDATE ... SET <names> WHERE pk AND state [RETURNING <returning>]` for `model`, built once
    per set of names."""
    quote = default_connection().ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('state').column)} = %s"
    )
    if returning:
        sql += f" RETURNING {', '.join(quote(meta.get_field(name).column) for name in returning)}"
    return sql, fields


def writes_plain_values(values: dict) -> bool:
    """Whether `values` are what the statements here write themselves: at least one, and none an
    expression (F(), Case, Now()), which the ORM's way writes instead."""
    return bool(values) and not any(hasattr(value, "resolve_expression") for value in values.values())


def update_where_state(model, pk: int, state: str, values: dict, *, returning: tuple[str, ...] = ()):
    """`model.objects.filter(pk=pk, state=state).update(**values)`: the number of rows written.

    With `returning` (field names): the row's raw values of those fields as the UPDATE left them,
    or None when it wrote nothing (`assign` sets them on an instance). A related row is written as
    its key, as the ORM's UPDATE does; an expression (F(), Case), or nothing to write, takes the
    ORM's way, which returns no row.
    """
    if not writes_plain_values(values):
        if returning:
            raise ValueError("returning needs plain values, not expressions")
        return model._default_manager.filter(pk=pk, state=state).update(**values)
    names = tuple(sorted(values))
    sql, fields = _update_sql(model, names, returning)
    connection = default_connection()
    params = []
    for field, name in zip(fields, names, strict=True):
        value = values[name]
        if field.remote_field is not None and hasattr(value, "prepare_database_save"):
            value = value.prepare_database_save(field)
        params.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk, state])
        return cursor.fetchone() if returning else cursor.rowcount


@cache
def _insert_sql(model, many: bool, with_pk: bool) -> tuple[str, list]:
    """`INSERT ...` (without RETURNING) for `model`: one row's VALUES, or many rows as one array per
    column; the pk given (`with_pk`) or from the table's sequence."""
    connection = default_connection()
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if with_pk or field is not meta.pk]
    if many:
        # The element type without its length (varchar, not varchar(64)): the column's own type
        # checks the value on the way in, as Django's UNNEST does.
        arrays = ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in fields)
        values = f"SELECT * FROM UNNEST({arrays})"
    else:
        values = f"VALUES ({', '.join(['%s'] * len(fields))})"
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) {values}"
    return sql, fields


class Inserts:
    """Rows of one model, and the rows others add to go with them, written as one statement.

    What `bulk_create(objs)` does on PostgreSQL, with one array per column whatever the column's
    type (Django falls back to a placeholder per value when a model has a binary field: 47,000 for
    a 1,000-row batch of invocations, whose splitting and binding cost more than the insert). Like
    bulk_create it sends no signal, and leaves `pk` alone when the instance has one (the audit
    trail numbers its entries itself).

    Rows `add`ed (of any model, their pks set) are written in the same statement, each model's as
    a data-modifying WITH clause, which PostgreSQL runs to completion whatever the main INSERT
    reads of it: all rows are written, or none, without a transaction of their own (a BEGIN and a
    COMMIT fewer for a submit and its audit entry, issue 18). Other databases: a bulk_create per
    model, in one transaction.

    The values are prepared when the rows are given (`Field.pre_save`: `created_at` is set from
    then on), so whoever adds rows may read them.
    """

    def __init__(self, model, objs: list):
        self.model, self.objs = model, objs
        self._main = self._prepared(model, objs) if objs else None
        self._added: list[tuple[object, list, tuple[str, list] | None]] = []

    def writing(self):
        """The context in which rows are added and then written (`run`). PostgreSQL: none, the
        statement is its own transaction. Elsewhere: one transaction around both, so that rows
        numbered by reading the table (SQLite: the audit trail's max + 1) are numbered and written
        under the one write lock the transaction takes (settings.py: IMMEDIATE)."""
        if default_connection().vendor == "postgresql":
            return nullcontext()
        return transaction.atomic()

    def add(self, model, objs: list) -> None:
        """Write `objs` (unsaved instances of `model`, their pks set) with the rows."""
        if objs:
            self._added.append((model, objs, self._prepared(model, objs)))

    def run(self) -> list:
        """Write every row; the main rows get their pks, which are returned in order."""
        if not self.objs:
            return self.objs
        connection = default_connection()
        if connection.vendor != "postgresql":
            with transaction.atomic(savepoint=False):
                self.model._base_manager.bulk_create(self.objs)
                for model, objs, _ in self._added:
                    model._base_manager.bulk_create(objs)
            return self.objs
        meta = self.model._meta
        sql, params = self._main
        clauses, before = [], []
        for index, (_, _, (added_sql, added_params)) in enumerate(self._added):
            clauses.append(f"w{index} AS ({added_sql})")
            before += added_params
        if clauses:
            sql = f"WITH {', '.join(clauses)} {sql}"
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(meta.pk.column)}", before + params)
            pks = [row[0] for row in cursor.fetchall()]
        for obj, pk in zip(self.objs, pks, strict=True):
            setattr(obj, meta.pk.attname, pk)
        for objs in [self.objs, *(objs for _, objs, _ in self._added)]:
            for obj in objs:
                obj._state.adding = False
                obj._state.db = connection.alias
        return self.objs

    @staticmethod
    def _prepared(model, objs: list) -> tuple[str, list] | None:
        """(INSERT, its parameters) of `objs`, their values prepared as the ORM prepares them; None
        elsewhere than PostgreSQL, where only `pre_save` runs now."""
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="insert")
        connection = default_connection()
        if connection.vendor != "postgresql":
            # bulk_create prepares them again when it runs; `created_at` is readable from now on.
            for obj in objs:
                for field in model._meta.concrete_fields:
                    field.pre_save(obj, True)
            return None
        sql, fields = _insert_sql(model, len(objs) > 1, objs[0].pk is not None)
        rows = [
            [field.get_db_prep_save(field.pre_save(obj, True), connection=connection) for field in fields]
            for obj in objs
        ]
        return sql, [list(column) for column in zip(*rows, strict=True)] if len(objs) > 1 else rows[0]


@cache
def _select_sql(model, names: tuple[str, ...]) -> tuple[str, list]:
    quote = default_connection().ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    return sql, columns(fields, meta.db_table)


def refresh_fields(instance, names: tuple[str, ...]) -> None:
    """`instance.refresh_from_db(fields=names)`: the named fields read again, in one statement
    built once. Raises the model's DoesNotExist when the row is gone."""
    model = type(instance)
    sql, found = _select_sql(model, names)
    with default_connection().cursor() as cursor:
        cursor.execute(sql, [instance.pk])
        values = cursor.fetchone()
    if values is None:
        raise model.DoesNotExist(f"{model._meta.object_name} {instance.pk} no longer exists")
    _set(instance, found, values)


def assign(instance, names: tuple[str, ...], values) -> None:
    """Set the named fields from a raw row's `values` (`update_where_state(..., returning=names)`),
    converted as `refresh_fields` converts what it reads."""
    _set(instance, _select_sql(type(instance), names)[1], values)


def _set(instance, found, values) -> None:
    for (attname, _, _), value in zip(found, converted(found, values), strict=True):
        setattr(instance, attname, value)


@cache
def _get_sql(model, name: str) -> tuple[str, list]:
    quote = default_connection().ops.quote_name
    meta = model._meta
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in meta.concrete_fields)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.get_field(name).column)} = %s"
    )
    return sql, columns(meta.concrete_fields, meta.db_table)


def get_by(model, name: str, value):
    """`model._default_manager.get(**{name: value})` for a unique field `name`, in one statement
    built once. Raises the model's DoesNotExist."""
    sql, found = _get_sql(model, name)
    connection = default_connection()
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.get_field(name).get_db_prep_value(value, connection)])
        values = cursor.fetchone()
    if values is None:
        raise model.DoesNotExist(f"no {model._meta.object_name} with {name} {value!r}")
    return from_db(model, found, values, connection.alias)
