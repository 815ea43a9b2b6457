from django.db import migrations

from apps.core.migration_helpers import trigram_search_index


class Migration(migrations.Migration):
    dependencies = [("recovery", "0001_initial")]

    # The list's free-text search: reference, title, customer name or account reference.
    operations = [
        trigram_search_index(
            "recovery_recoverycase",
            ("reference", "title", "customer_name", "account_reference"),
        ),
    ]
