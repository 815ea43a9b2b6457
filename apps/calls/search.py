"""Free-text search of calls: a few text columns searched as one, through one index.

Searching each column with its own `icontains` would need a trigram index per column, and
every imported call would have to be written into six of them. Instead the columns are
joined into one text (`SEARCH_PUBLIC`, and `SEARCH_PERSONAL` for those who may see callers'
numbers and names), each with one trigram index over the same expression (migration 0003).
The expression here and the index there must stay identical, or the index is not used.
"""

from django.db.models import CharField, Func, Q, QuerySet

PUBLIC_COLUMNS = ("reference", "title", "external_call_id", "account_reference")
PERSONAL_COLUMNS = ("caller_number", "customer_name")
# Between the columns, so a search term never matches across two of them by accident.
SEPARATOR = " | "


class SearchText(Func):
    """UPPER(col1 || ' | ' || col2 …): the columns as one upper-case text."""

    output_field = CharField()

    def __init__(self, *columns: str):
        self.columns = columns
        super().__init__()

    def as_sql(self, compiler, connection, **extra_context):
        quote = compiler.quote_name_unless_alias
        table = quote(compiler.query.get_initial_alias())
        joined = f" || '{SEPARATOR}' || ".join(
            f"{table}.{connection.ops.quote_name(column)}" for column in self.columns
        )
        return f"UPPER(({joined}))", []


def search(queryset: QuerySet, text: str, *, personal: bool) -> QuerySet:
    """Calls whose reference, title, external id or account reference contain `text`
    (case-insensitive), and with `personal` also their caller number or customer name."""
    pattern = text.upper()
    queryset = queryset.alias(_search_public=SearchText(*PUBLIC_COLUMNS))
    condition = Q(_search_public__contains=pattern)
    if personal:
        queryset = queryset.alias(_search_personal=SearchText(*PERSONAL_COLUMNS))
        condition |= Q(_search_personal__contains=pattern)
    return queryset.filter(condition)
