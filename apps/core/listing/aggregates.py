"""Database functions the lists and exports need on both SQLite and PostgreSQL."""

from django.db.models import Aggregate, CharField, OuterRef, Subquery, Value


class JoinedNames(Aggregate):
    """Comma-joined text of a group: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(", "), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def joined_related_names(through_model, owner_field: str, name_path: str) -> Subquery:
    """A per-row subquery: the names of a many-to-many relation joined into one cell."""
    rows = (
        through_model.objects.filter(**{owner_field: OuterRef("pk")})
        .order_by()
        .values(owner_field)
        .annotate(names=JoinedNames(name_path))
        .values("names")
    )
    return Subquery(rows, output_field=CharField())
