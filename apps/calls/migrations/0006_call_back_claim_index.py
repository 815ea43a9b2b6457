from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("calls", "0005_composite_indexes_serve_the_keys")]

    # The missed-call follow-up's claim (apps/calls/callbacks.py): inbound missed or dropped
    # calls still open with no call-back due time yet, in id order. Partial, so it holds only
    # the calls waiting for the next run, not the whole table.
    operations = [
        migrations.AddIndex(
            model_name="call",
            index=models.Index(
                condition=models.Q(
                    ("direction", "inbound"),
                    ("follow_up_due__isnull", True),
                    ("outcome__in", ("missed", "dropped")),
                    models.Q(("status__in", ("closed", "cancelled")), _negated=True),
                ),
                fields=["id"],
                name="call_callback_todo",
            ),
        ),
    ]
