from django.db import migrations

from apps.core.migration_helpers import trigram_search_index


class Migration(migrations.Migration):
    dependencies = [("failures", "0001_initial")]

    # The list's free-text search: reference or title containing the words typed.
    operations = [
        trigram_search_index("failures_failurereport", ("reference", "title")),
    ]
