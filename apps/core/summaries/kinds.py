"""The spec of every summarised kind: the five logs, the audit findings, the calls a second
time per agent and queue, and each SLA target of the logs by the day it fell due.

Values are written as the tables store them (choice values), so the triggers a migration
installs do not depend on importing the apps' models.
"""

from ..targets import BREACH_STAMPS
from .spec import Metric, SummarySpec

OPEN_STATUSES = ("new", "in_progress", "on_hold")


def breached_stamp(d) -> str:
    """Stamped breached, or resolved after the due time (a path that did not stamp it). Open
    records past their due time and not stamped yet depend on the clock: reads add them."""
    return (
        f"{d.c('resolution_breached_at')} IS NOT NULL "
        f"OR {d.c('resolved_at')} > {d.c('resolution_due')}"
    )


def _inbound(d) -> str:
    return f"{d.c('direction')} = 'inbound'"


def _answered_inbound(d) -> str:
    return f"{_inbound(d)} AND {d.c('answered_at')} IS NOT NULL"


def _talk(d) -> str:
    return f"{d.c('answered_at')} IS NOT NULL AND {d.c('talk_seconds')} IS NOT NULL"


def _wait(d) -> str:
    return f"{_inbound(d)} AND {d.c('wait_seconds')} IS NOT NULL"


def _qa(d) -> str:
    return f"{d.c('qa_score')} IS NOT NULL"


def _counted(d) -> str:
    return f"{d.c('status')} <> 'cancelled'"


def _recovered(d) -> str:
    return (
        f"{_counted(d)} AND {d.c('confirmed_at')} IS NOT NULL "
        f"AND {d.c('customer_satisfied')} = TRUE"
    )


CALL_METRICS = (
    # First-call resolution: answered inbound calls resolved on the call, not follow-ups.
    Metric(
        "fcr_resolved",
        lambda d: (
            f"{_answered_inbound(d)} AND {d.c('outcome')} = 'resolved' "
            f"AND {d.c('follow_up_of_id')} IS NULL"
        ),
    ),
    Metric("fcr_answered", _answered_inbound),
    Metric("talk_total", _talk, lambda d: d.c("talk_seconds")),
    Metric("talk_count", _talk),
    Metric("wait_total", _wait, lambda d: d.c("wait_seconds")),
    Metric("wait_count", _wait),
    Metric("abandoned", lambda d: f"{_inbound(d)} AND {d.c('outcome')} IN ('missed', 'dropped')"),
    Metric("inbound", _inbound),
    Metric("qa_total", _qa, lambda d: d.c("qa_score")),
    Metric("qa_count", _qa),
)

RECOVERY_METRICS = (
    Metric("counted", _counted),
    Metric("recovered", _recovered),
    Metric(
        "satisfaction_total",
        lambda d: f"{_counted(d)} AND {d.c('latest_satisfaction')} IS NOT NULL",
        lambda d: d.c("latest_satisfaction"),
    ),
    Metric(
        "satisfaction_count",
        lambda d: f"{_counted(d)} AND {d.c('latest_satisfaction')} IS NOT NULL",
    ),
    Metric(
        "return_total",
        lambda d: f"{_counted(d)} AND {d.c('latest_likelihood_to_return')} IS NOT NULL",
        lambda d: d.c("latest_likelihood_to_return"),
    ),
    Metric(
        "return_count",
        lambda d: f"{_counted(d)} AND {d.c('latest_likelihood_to_return')} IS NOT NULL",
    ),
    Metric(
        "recover_seconds_total",
        lambda d: f"{_counted(d)} AND {d.c('confirmed_at')} IS NOT NULL",
        lambda d: d.seconds_between("confirmed_at", "occurred_at"),
    ),
    Metric(
        "recover_count",
        lambda d: f"{_counted(d)} AND {d.c('confirmed_at')} IS NOT NULL",
    ),
)


# A second summary of the calls: per agent (kept in `team_id`) and queue (kept in `variant`),
# with the same metrics, for the calls report's figures per agent and per queue.
CALLS_BY_AGENT_QUEUE = "calls.call.agent_queue"
# What each summary column holds in that summary, by the name a report groups by.
AGENT_QUEUE_COLUMNS = {"agent": "team_id", "queue": "variant"}


def _column(name: str):
    return lambda d: d.c(name)


# The SLA compliance summaries (apps.core.compliance defines what they count): one per log and
# target, keeping each record under the day its due time as it stood falls in (the breach
# stamp, else the due time), per severity. Whether a record whose target is neither met nor
# stamped is counted depends on the moment of reading, so `counted` holds what it is once the
# due time has passed: every record but the cancelled ones that never met nor missed it.
SLA_TARGETS = {"resolution": "resolution_due", "first_response": "first_response_due"}


def sla_kind(model_label: str, target: str) -> str:
    return f"{model_label}:{target}"


def _sla_spec(model_label: str, table: str, target: str) -> SummarySpec:
    due = SLA_TARGETS[target]
    stamp, met_by = BREACH_STAMPS[due]

    def final_due(d) -> str:
        return f"COALESCE({d.c(stamp)}, {d.c(due)})"

    def pending(d) -> str:
        return " AND ".join(f"{d.c(name)} IS NULL" for name in (stamp, *met_by))

    def met(d) -> str:
        reached, unmet_before = [], []
        for name in met_by:
            reached.append(" AND ".join([*unmet_before, f"{d.c(name)} <= {d.c(due)}"]))
            unmet_before.append(f"{d.c(name)} IS NULL")
        return f"{d.c(stamp)} IS NULL AND (({') OR ('.join(reached)}))"

    return SummarySpec(
        kind=sla_kind(model_label, target),
        model=model_label,
        trigger_suffix=f"due_{target}",
        table=table,
        day_column=due,
        moment=final_due,
        keeps=lambda d: f"{final_due(d)} IS NOT NULL",
        flag=lambda d: "FALSE",
        status_column=None,
        team_column=None,
        metrics=(
            Metric("counted", lambda d: f"NOT ({pending(d)} AND {d.c('status')} = 'cancelled')"),
            Metric("met", met),
            Metric("stamped", lambda d: f"{d.c(stamp)} IS NOT NULL"),
        ),
    )


LOG_TABLES = {
    "interruptions.interruption": "interruptions_interruption",
    "failures.failurereport": "failures_failurereport",
    "escalations.escalation": "escalations_escalation",
    "calls.call": "calls_call",
    "recovery.recoverycase": "recovery_recoverycase",
}
SLA_SPECS = (
    *(_sla_spec(label, table, "resolution") for label, table in LOG_TABLES.items()),
    _sla_spec("escalations.escalation", "escalations_escalation", "first_response"),
)


SPECS: dict[str, SummarySpec] = {
    spec.kind: spec
    for spec in (
        SummarySpec(
            kind="interruptions.interruption",
            table="interruptions_interruption",
            day_column="occurred_at",
            flag=breached_stamp,
            variant=_column("kind"),
            variant_filter="kind",
        ),
        SummarySpec(
            kind="failures.failurereport",
            table="failures_failurereport",
            day_column="occurred_at",
            flag=breached_stamp,
            variant=_column("category"),
            variant_filter="category",
        ),
        SummarySpec(
            kind="escalations.escalation",
            table="escalations_escalation",
            day_column="occurred_at",
            flag=breached_stamp,
            variant=_column("tier"),
            variant_filter="tier",
        ),
        SummarySpec(
            kind="calls.call",
            table="calls_call",
            day_column="occurred_at",
            flag=breached_stamp,
            variant=_column("direction"),
            variant_filter="direction",
            metrics=CALL_METRICS,
        ),
        SummarySpec(
            kind=CALLS_BY_AGENT_QUEUE,
            model="calls.call",
            trigger_suffix="agent_queue",
            table="calls_call",
            day_column="occurred_at",
            flag=lambda d: "FALSE",
            severity_column=None,
            status_column=None,
            team_column="assignee_id",
            variant=_column("queue"),
            metrics=CALL_METRICS,
        ),
        SummarySpec(
            kind="recovery.recoverycase",
            table="recovery_recoverycase",
            day_column="occurred_at",
            flag=breached_stamp,
            variant=_column("nature"),
            variant_filter="nature",
            metrics=RECOVERY_METRICS,
        ),
        SummarySpec(
            kind="audits.auditfinding",
            table="audits_auditfinding",
            day_column="found_at",
            flag=lambda d: f"{d.c('acknowledged_at')} IS NOT NULL",
            flag_filter="acknowledged",
            status_column=None,
            team_column=None,
            variant=_column("kind"),
            variant_filter="kind",
        ),
        *SLA_SPECS,
    )
}


def spec_for(model) -> SummarySpec | None:
    return SPECS.get(model._meta.label_lower)
