"""The columns of a telephony export the call import reads: one definition, used by the
parser, the import page's documentation and the downloadable template."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportColumn:
    name: str
    required: bool  # the header must have it and every row must fill it
    meaning: str
    example: str


COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "external_call_id", True,
        "The call's id in the telephony system. A call already imported for the same client "
        "with this id is skipped, so the same file can be imported again safely.",
        "GEN-20260302-0001",
    ),
    ImportColumn("client", True, "Client code, e.g. acme (one of your clients).", "acme"),
    ImportColumn("direction", True, "inbound or outbound.", "inbound"),
    ImportColumn(
        "started_at", True,
        "When the call started: 2026-03-02 09:15:00 or 2026-03-02T09:15:00. Without an offset "
        "(+01:00, Z) the time is read in the client's time zone.",
        "2026-03-02 09:15:00",
    ),
    ImportColumn(
        "answered_at", False, "When an agent answered; empty if never.", "2026-03-02 09:15:40",
    ),
    ImportColumn("ended_at", False, "When the call ended.", "2026-03-02 09:21:10"),
    ImportColumn(
        "wait_seconds", False,
        "Seconds in the queue; empty to work it out from started and answered.", "40",
    ),
    ImportColumn(
        "talk_seconds", False,
        "Seconds talking; empty to work it out from answered and ended.", "330",
    ),
    ImportColumn(
        "caller_number", False, "The caller's number (personal data).", "+44 20 7946 0958",
    ),
    ImportColumn("customer_name", False, "The customer's name (personal data).", "Jane Doe"),
    ImportColumn("account_reference", False, "The customer's account reference.", "ACME-104233"),
    ImportColumn(
        "agent", False, "Username of the agent who handled the call; they must work for the "
        "client.", "agent",
    ),
    ImportColumn("queue", False, "Queue (inbound) or campaign (outbound).", "Billing"),
    ImportColumn("query_category", False, "Code of a query category.", "billing"),
    ImportColumn("disposition", False, "Code of a disposition code.", "resolved-first-contact"),
    ImportColumn(
        "outcome", True,
        "resolved, escalated, follow_up, missed, dropped or voicemail.", "resolved",
    ),
    ImportColumn("sentiment", False, "positive, neutral or negative.", "positive"),
    ImportColumn("severity", False, "SEV1 to SEV4; SEV4 when empty.", "SEV4"),
    ImportColumn(
        "title", False, "Summary; when empty, the direction and query category "
        "(“Inbound call · Billing and payments”).", "Duplicate charge refunded",
    ),
    ImportColumn("description", False, "What the customer asked.", "Charged twice for order 5512."),
    ImportColumn("resolution", False, "What was done for them.", "Refunded the duplicate charge."),
    ImportColumn(
        "follow_up_due", False,
        "When a follow-up is due (needed when the outcome is follow_up).", "",
    ),
    ImportColumn("escalation_notes", False, "Why and to whom the call was escalated.", ""),
)  # fmt: skip

COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)


def template_rows() -> list[list[str]]:
    """The header and one example row, for the downloadable template."""
    return [list(COLUMN_NAMES), [column.example for column in COLUMNS]]
