"""Migration operations that only apply on PostgreSQL (SQLite has no equivalent)."""

from django.db import migrations


def trigram_search_index(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """GIN trigram indexes for `icontains` search on PostgreSQL; nothing on other databases.

    `icontains` compiles to UPPER(column) LIKE UPPER('%text%'), hence the UPPER expression.
    """

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')

    return migrations.RunPython(forwards, backwards)
