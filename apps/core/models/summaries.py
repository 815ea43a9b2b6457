"""Counts kept in step with every write to the logs, so figures never scan the records.

Database triggers append signed delta rows (`folded` false) on every insert, update and delete
of a log record or audit finding; a periodic fold moves them into folded rows, one per day and
one for all time, per combination of the dimensions. A read sums the folded rows it needs plus
the deltas not folded yet. See `apps.core.summaries`.
"""

from datetime import date

from django.db import models

# The day of the folded rows that cover every day.
ALL_TIME = date(1, 1, 1)
# Named sums a kind may keep beyond the row count (see apps.core.summaries.kinds).
METRIC_SLOTS = tuple(f"m{index}" for index in range(1, 11))
DIMENSIONS = ("kind", "client_id", "day", "severity", "status", "team_id", "variant", "flag")


class SummaryRow(models.Model):
    """Rows of one kind of record sharing every dimension: how many, and their metric sums.

    Dimensions are plain values, not foreign keys: the triggers write them in bulk, and a
    record's client and team are protected from deletion by the record itself.
    """

    kind = models.CharField(max_length=40)
    client_id = models.IntegerField()
    day = models.DateField(help_text="Local day of the record's moment; ALL_TIME when folded.")
    severity = models.CharField(max_length=4)
    status = models.CharField(max_length=16)
    team_id = models.IntegerField(help_text="0 for no team.")
    # Long enough for a call's queue, the own dimension of the calls per agent and queue.
    variant = models.CharField(max_length=80, help_text="The kind's own dimension, if any.")
    flag = models.BooleanField(help_text="Breached (log records) or acknowledged (findings).")
    folded = models.BooleanField(default=False, db_default=False)
    n = models.BigIntegerField()
    m1 = models.FloatField(default=0, db_default=0)
    m2 = models.FloatField(default=0, db_default=0)
    m3 = models.FloatField(default=0, db_default=0)
    m4 = models.FloatField(default=0, db_default=0)
    m5 = models.FloatField(default=0, db_default=0)
    m6 = models.FloatField(default=0, db_default=0)
    m7 = models.FloatField(default=0, db_default=0)
    m8 = models.FloatField(default=0, db_default=0)
    m9 = models.FloatField(default=0, db_default=0)
    m10 = models.FloatField(default=0, db_default=0)

    class Meta:
        constraints = [
            # The fold's upsert target; reads of folded rows go through it too.
            models.UniqueConstraint(
                fields=list(DIMENSIONS),
                condition=models.Q(folded=True),
                name="summary_folded_unique",
            ),
        ]
        indexes = [
            # Reads of the deltas not folded yet, and the fold's batches (by id).
            models.Index(
                fields=["kind", "client_id", "day"],
                condition=models.Q(folded=False),
                name="summary_deltas",
            ),
            # The fold's sweep of the groups its deltas emptied: nearly always none.
            models.Index(
                fields=["id"], condition=models.Q(folded=True, n=0), name="summary_emptied"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id} {self.day}: {self.n}"
