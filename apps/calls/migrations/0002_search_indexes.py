from django.db import migrations

from apps.core.migration_helpers import trigram_search_index


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]

    # The list's free-text search: reference, title, external call id, account reference,
    # and (for those who may see them) caller number and customer name.
    operations = [
        trigram_search_index(
            "calls_call",
            (
                "reference",
                "title",
                "external_call_id",
                "account_reference",
                "caller_number",
                "customer_name",
            ),
        ),
    ]
