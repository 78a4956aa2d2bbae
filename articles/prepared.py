"""Querysets compiled once per shape, then run again with new values.

Django builds and compiles a queryset's SQL on every evaluation. For a query run on every
story page whose shape depends only on a count (the related stories: one UNION ALL part per
tag), that compile cost more than the database's work. Here a queryset is built once per
shape with sentinel values, compiled, and its parameters mapped back to the values they
stand for; later runs substitute the real values into the same SQL. The SQL is the ORM's own,
filters and all (the live rule still comes from `published()`), not hand-written.
"""

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connections

# Values no real row or clock carries: a story's or tag's id is never negative.
SENTINEL_TIME = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
FIRST_SENTINEL_ID = -7_000_001

_compiled: dict = {}
_lock = threading.Lock()


def run(key, build: Callable, values: dict, *, using: str = "default") -> list:
    """The model instances of `build(**values)`, compiled once per `key` (which must name
    everything the shape depends on besides `values`: list lengths, limits, …).

    `values` holds ints, strings, lists of ints and at most one aware datetime.
    """
    connection = connections[using]
    full_key = (using, connection.vendor, key)
    compiled = _compiled.get(full_key)
    if compiled is None:
        with _lock:
            compiled = _compiled.setdefault(full_key, compile_shape(build, values, connection))
    model, sql, slots = compiled
    params = [slot(values, connection) for slot in slots]
    return list(model._default_manager.db_manager(using).raw(sql, params))


def compile_shape(build: Callable, values: dict, connection):
    sentinels, meaning = {}, {}
    next_id = FIRST_SENTINEL_ID
    for name, value in values.items():
        if isinstance(value, datetime):
            sentinels[name] = SENTINEL_TIME
            meaning[SENTINEL_TIME] = (name, None, False)
            adapted = connection.ops.adapt_datetimefield_value(SENTINEL_TIME)
            meaning[adapted] = (name, None, True)
        elif isinstance(value, str):
            sentinels[name] = f"\x00prepared:{name}\x00"
            meaning[sentinels[name]] = (name, None, False)
        elif isinstance(value, list | tuple):
            sentinels[name] = list(range(next_id, next_id - len(value), -1))
            for index, sentinel in enumerate(sentinels[name]):
                meaning[sentinel] = (name, index, False)
            next_id -= len(value)
        else:
            sentinels[name] = next_id
            meaning[next_id] = (name, None, False)
            next_id -= 1
    queryset = build(**sentinels)
    sql, params = queryset.query.sql_with_params()
    slots = [slot_for(meaning.get(_hashable(param)), param) for param in params]
    return queryset.model, sql, slots


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return None
    return value


def slot_for(found, constant):
    if found is None:
        return lambda values, connection: constant
    name, index, adapted = found
    if index is not None:
        return lambda values, connection: values[name][index]
    if adapted:
        return lambda values, connection: connection.ops.adapt_datetimefield_value(values[name])
    return lambda values, connection: values[name]
