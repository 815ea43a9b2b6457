"""The migration operation that installs a kind's summary triggers and rebuilds its rows."""

from django.db import migrations

from .kinds import SPECS


class InstallSummaryTriggers(migrations.operations.base.Operation):
    """Create (or replace) the triggers of one summarised kind, from its spec as the code
    states it now, and rebuild that kind's summary rows from its table in the same
    transaction. Run again (a new migration) whenever the spec or settings.TIME_ZONE changes.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, kind: str):
        self.kind = kind

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        spec = SPECS[self.kind]
        vendor = schema_editor.connection.vendor
        for statement in spec.install_sql(vendor) + spec.rebuild_sql(vendor):
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        spec = SPECS[self.kind]
        for statement in spec.drop_sql(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Install the summary triggers of {self.kind}"

    def deconstruct(self):
        return self.__class__.__name__, [self.kind], {}

    @property
    def migration_name_fragment(self) -> str:
        return f"summary_triggers_{self.kind.replace('.', '_')}"
