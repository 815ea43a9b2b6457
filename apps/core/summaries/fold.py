"""Folding the deltas the triggers append into one row per day and one for all time."""

from collections import defaultdict

from django.db import connection, transaction

from ..models.summaries import ALL_TIME, METRIC_SLOTS
from .spec import GROUP_COLUMNS, SUMMARY_TABLE

FOLD_BATCH = 50_000
SUM_COLUMNS = ("n", *METRIC_SLOTS)


def fold_deltas(*, batch_size: int = FOLD_BATCH, max_batches: int | None = None) -> int:
    """Fold every delta committed so far, a batch per transaction; returns how many.

    Each batch deletes its deltas with DELETE … RETURNING and adds their sums to the folded
    rows in the same transaction, so a read sees the deltas or their sums, never both nor
    neither. Writers only ever insert deltas, so they never wait on a fold; two folds at once
    cannot take the same delta (the second finds it deleted), and each adds what it took.
    """
    folded = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            taken = _take_deltas(batch_size)
            if taken:
                _add_to_folded(taken)
        folded += len(taken)
        batches += 1
        if len(taken) < batch_size:
            break
    return folded


def _take_deltas(batch_size: int) -> list[tuple]:
    columns = ", ".join((*GROUP_COLUMNS, *SUM_COLUMNS))
    # Two folds at once take different deltas rather than wait for each other.
    claim = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SUMMARY_TABLE} WHERE id IN (SELECT id FROM {SUMMARY_TABLE} "
            f"WHERE NOT folded LIMIT %s{claim}) RETURNING {columns}",
            [batch_size],
        )
        return cursor.fetchall()


def _add_to_folded(taken: list[tuple]) -> None:
    width = len(GROUP_COLUMNS)
    day_at = GROUP_COLUMNS.index("day")
    sums: dict[tuple, list] = defaultdict(lambda: [0] * len(SUM_COLUMNS))
    for row in taken:
        key = tuple(row[:width])
        whole = key[:day_at] + (ALL_TIME,) + key[day_at + 1 :]
        for target in (key, whole):
            totals = sums[target]
            for index, value in enumerate(row[width:]):
                totals[index] += value
    columns = (*GROUP_COLUMNS, *SUM_COLUMNS)
    updates = ", ".join(
        f"{column} = {SUMMARY_TABLE}.{column} + excluded.{column}" for column in SUM_COLUMNS
    )
    sql = (
        f"INSERT INTO {SUMMARY_TABLE} ({', '.join(columns)}, folded) "
        f"VALUES ({', '.join(['%s'] * len(columns))}, TRUE) "
        f"ON CONFLICT ({', '.join(GROUP_COLUMNS)}) WHERE folded DO UPDATE SET {updates}"
    )
    # One order for every fold, so two folds at once lock folded rows in the same order.
    rows = [(*key, *totals) for key, totals in sorted(sums.items(), key=_sort_key)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        # A group whose records all left it has nothing to say any more.
        cursor.execute(f"DELETE FROM {SUMMARY_TABLE} WHERE folded AND n = 0")


def _sort_key(item):
    key = item[0]
    return tuple(str(part) for part in key)
