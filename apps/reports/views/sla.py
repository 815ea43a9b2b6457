"""The SLA compliance report page: its figures come from apps.reports.sla."""

from ..scope import ReportScope
from ..sla import SLA_DEFINITIONS, SLA_TITLE, sla_sections
from .base import ReportView


class SlaReportView(ReportView):
    title = SLA_TITLE
    definitions = SLA_DEFINITIONS

    def sections(self, scope: ReportScope):
        return sla_sections(scope)
