"""Words for demo interruptions: what each kind of interruption looks like when it is logged.

Placeholders: {service} (an affected service), {vendor}, {carrier}, {metric}, {module},
{code}, {count}, {site}.
"""

from apps.core.choices import RootCause

from .models import CommunicationChannel, InterruptionKind

SITES = ("Manchester", "Leeds", "Cape Town", "Manila", "Kraków", "Glasgow")
CARRIERS = ("BT Wholesale", "Vodafone Business", "Colt", "Lumen", "Telstra", "Virgin Media O2")

TITLES = {
    InterruptionKind.INCIDENT: (
        "{service} unavailable for frontline agents",
        "Agents logged out of {service} every few minutes",
        "{service} screens not loading customer records",
        "Softphones freezing on call transfer in {site}",
        "Single sign-on failing for {service}",
        "{service} showing another customer's order history",
        "Headsets dropping audio on the {site} floor",
        "Call recordings missing from {service}",
    ),
    InterruptionKind.OUTAGE: (
        "{service} down for all agents",
        "Full outage of {service}",
        "{service} unreachable from every site",
        "Power failure at the {site} site",
        "Network core switch failure in {site}",
        "{service} outage during peak hours",
    ),
    InterruptionKind.DEGRADATION: (
        "{service} responding slowly",
        "{metric} above threshold on {service}",
        "Intermittent timeouts on {service}",
        "Queue wallboards lagging behind {service}",
        "{service} search taking over ten seconds",
        "Raised error rate on {service}",
    ),
    InterruptionKind.ERROR: (
        "{code} errors on {service}",
        "Failed transactions in {module}",
        "{service} rejecting updates with {code}",
        "Duplicate cases created by {module}",
        "Batch job in {module} failing overnight",
        "{module} crashing when a note is saved",
    ),
    InterruptionKind.COMMUNICATION: (
        "Inbound calls failing to connect via {carrier}",
        "One-way audio on calls through {carrier}",
        "Data link to {site} down",
        "Chat sessions disconnecting mid-conversation",
        "Outbound e-mail queued and not delivered",
        "SIP trunk to {carrier} flapping",
    ),
    InterruptionKind.MAINTENANCE: (
        "Planned upgrade of {service}",
        "{vendor} maintenance window for {service}",
        "Database patching for {service}",
        "Firewall replacement at {site}",
        "Certificate renewal on {service}",
        "Quarterly security patching of {service}",
    ),
    InterruptionKind.THIRD_PARTY: (
        "{vendor} platform incident affecting {service}",
        "{vendor} API returning errors",
        "{vendor} cloud region degraded",
        "{service} unavailable: {vendor} investigating",
        "Authentication with {vendor} failing",
        "{vendor} rate-limiting requests from {service}",
    ),
}

DESCRIPTIONS = {
    InterruptionKind.INCIDENT: (
        "Several agents reported that {service} stopped responding. Calls were handled with "
        "the paper fallback form and customers told to expect a call back.",
        "Team leader on the {site} floor raised it after three agents hit the same problem "
        "within ten minutes. Other sites not affected so far.",
        "Reported by the frontline queue: customers kept on hold while agents retried "
        "{service}. Workaround shared in the team chat.",
    ),
    InterruptionKind.OUTAGE: (
        "{service} unavailable for every agent on every site. Inbound queues building up; "
        "IVR message switched to the outage announcement.",
        "Monitoring raised the alarm and agents confirmed: no access to {service}. "
        "Bridge call opened with the technical team and the client's IT.",
    ),
    InterruptionKind.DEGRADATION: (
        "{metric} well above the usual level. Agents can work but average handle time is "
        "climbing and customers are waiting longer.",
        "{service} pages take several seconds to load. No errors, just slow; worst during "
        "the morning peak.",
    ),
    InterruptionKind.ERROR: (
        "{module} returns {code} for about one request in twenty. {count} failures logged "
        "since the start; customers asked to try again later.",
        "Agents see an error when saving in {module}. The change is lost and has to be "
        "re-entered. {count} occurrences so far.",
    ),
    InterruptionKind.COMMUNICATION: (
        "Calls routed through {carrier} fail to connect or drop after a few seconds. Traffic "
        "moved to the secondary route where possible.",
        "The link between {site} and the data centre is down; agents there cannot reach any "
        "system. Staff moved to the other floors.",
    ),
    InterruptionKind.MAINTENANCE: (
        "Planned work announced to the client a week ahead. {service} unavailable during "
        "the window; agents briefed on the fallback procedure.",
        "{vendor} upgrade of {service} in the agreed window. Queues closed with a recorded "
        "message; back-office work only.",
    ),
    InterruptionKind.THIRD_PARTY: (
        "{vendor} status page reports an incident. {service} fails for our agents; nothing "
        "we can fix on our side. Vendor ticket raised.",
        "Requests to {vendor} time out or return server errors. {vendor} acknowledged the "
        "problem and is working on it.",
    ),
}

IMPACTS = (
    "Average speed of answer rose above target; some customers abandoned.",
    "Agents could not complete account changes; callbacks promised.",
    "No customer-facing impact; back-office work delayed.",
    "Service level for the morning dropped below the contracted 80/20.",
    "Customers could not pay by card on the phone during the interruption.",
    "Chat queue closed for the duration; customers pointed to e-mail.",
    "Handle time up by about two minutes per call while agents used the workaround.",
)

ROOT_CAUSES = {
    InterruptionKind.INCIDENT: (RootCause.TECHNOLOGY, RootCause.PEOPLE, RootCause.PROCESS),
    InterruptionKind.OUTAGE: (RootCause.TECHNOLOGY, RootCause.FACILITY, RootCause.THIRD_PARTY),
    InterruptionKind.DEGRADATION: (RootCause.TECHNOLOGY, RootCause.THIRD_PARTY),
    InterruptionKind.ERROR: (RootCause.TECHNOLOGY, RootCause.PROCESS),
    InterruptionKind.COMMUNICATION: (RootCause.THIRD_PARTY, RootCause.TECHNOLOGY),
    InterruptionKind.MAINTENANCE: (RootCause.PROCESS, RootCause.THIRD_PARTY),
    InterruptionKind.THIRD_PARTY: (RootCause.THIRD_PARTY,),
}

ROOT_CAUSE_ANALYSES = {
    RootCause.TECHNOLOGY: (
        "A configuration change deployed the evening before exhausted the connection pool.",
        "Disk on the application server filled up with logs; the service stopped writing.",
        "Memory leak in the latest release; the service slowed down until it was restarted.",
        "An expired certificate broke the connection between the services.",
    ),
    RootCause.PEOPLE: (
        "A wrong setting was applied by hand during a routine change, outside the checklist.",
        "New starters had not been shown the fallback procedure.",
    ),
    RootCause.PROCESS: (
        "The change was approved without a rollback plan; the window was too short.",
        "No step in the release checklist checked the integration with the telephony side.",
    ),
    RootCause.THIRD_PARTY: (
        "Vendor-side incident in their hosting region; confirmed in their post-incident note.",
        "The carrier re-routed traffic during their own maintenance without notice.",
    ),
    RootCause.FACILITY: (
        "Power feed to the comms room failed and the UPS covered only twelve minutes.",
        "Air conditioning failed in the server room; equipment shut down to protect itself.",
    ),
    RootCause.CUSTOMER: ("The client changed their firewall rules without telling us.",),
    RootCause.UNKNOWN: ("No cause found; monitoring added to catch it next time.",),
}

CORRECTIVE_ACTIONS = (
    "Rolled back the change; added the integration test to the release checklist.",
    "Restarted the service; alerting added on disk and memory usage.",
    "Moved traffic to the secondary carrier; failover now automatic.",
    "Vendor to send a root-cause report; review at the monthly service meeting.",
    "Refreshed the fallback procedure and re-briefed every team.",
    "Added the certificate to the renewal calendar with a 30-day reminder.",
)

RESOLUTIONS = (
    "Service restored and confirmed by agents on every site.",
    "Fix deployed by the vendor; error rate back to normal.",
    "Restarted the affected servers; performance back within the usual range.",
    "Traffic returned to the primary route after the carrier's fix.",
    "Maintenance completed; smoke tests passed and queues reopened.",
    "Configuration corrected; the client confirmed normal operation.",
)

NOTES = (
    "Bridge call opened with the client's IT team.",
    "Workaround shared with the agents: use the paper form and key in later.",
    "Vendor acknowledged; next update promised within the hour.",
    "Client informed by phone and e-mail.",
    "Still seeing the problem on the {site} floor; other sites fine.",
    "Monitoring for another 30 minutes before we call it resolved.",
    "Service manager updated; added to the weekly review.",
    "IVR announcement switched on to warn callers.",
)

CANCEL_REASONS = (
    "Duplicate of an interruption already logged.",
    "Logged in error: the agent's own VPN had dropped, the service was fine.",
    "Not an interruption: the client changed the IVR menu as planned.",
    "Could not be reproduced and no other agent was affected.",
)

DEGRADATION_METRICS = (
    # metric, normal value, unit label is part of the metric name
    ("Response time (ms)", 400),
    ("Page load time (ms)", 1200),
    ("Error rate (%)", 1),
    ("Average speed of answer (s)", 20),
    ("Call set-up time (ms)", 800),
    ("Search latency (ms)", 600),
)

ERROR_CODES = ("HTTP 500", "HTTP 503", "HTTP 429", "ORA-00060", "TIMEOUT", "ERR_AUTH_401", "E1042")

MODULES = (
    "Case management",
    "Payments",
    "Order lookup",
    "Customer profile",
    "Refund workflow",
    "Callback scheduler",
)

CHANNELS = tuple(CommunicationChannel.values)
