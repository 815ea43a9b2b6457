"""The monthly SLA compliance report, e-mailed to each client's team leads.

It reports on the month before and goes out on the first business day of the client's own
calendar, once working hours begin there (at midnight for a 24×7 calendar). A later run in
the same month sends it if it has not gone out yet, so a day the schedule missed delays the
report instead of losing it. Each client and month is claimed in a row that stays locked
while the mail is sent: a schedule that fires twice, or two workers at once, send it once.

The mail carries the report's figures and a link to the report, never a record or a person:
the records behind the figures are read in the portal, where scoping and masking apply.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Client
from apps.core.selectors import client_team_leads
from apps.sla.business_time import CalendarSpec
from apps.sla.selectors import calendar_spec_for

from .content import Report
from .models import MonthlyReportDelivery
from .periods import MONTH, Period, period_containing, today_in
from .scope import ReportScope

MADE_BY = "BPO Operations Portal, monthly schedule"


def first_business_day(spec: CalendarSpec, month_start: date) -> date:
    """The month's first day with working hours that is not a holiday (the 1st when the
    calendar has none in that month)."""
    day = month_start
    while day.month == month_start.month:
        if spec.weekly[day.weekday()] and day not in spec.holidays:
            return day
        day += timedelta(days=1)
    return month_start


def sending_moment(spec: CalendarSpec, month_start: date, zone: ZoneInfo) -> datetime:
    """When working hours begin on the month's first business day, in the client's zone."""
    day = first_business_day(spec, month_start)
    hours = spec.weekly[day.weekday()]
    opening = timedelta(microseconds=hours[0][0]) if hours else timedelta(0)
    # Wall-clock arithmetic: 08:00 local is 08:00 on the day the clocks change too.
    return datetime.combine(day, time.min, tzinfo=zone) + opening


@dataclass(frozen=True)
class Due:
    client: Client
    period: Period


def due_reports(now: datetime) -> list[Due]:
    """The active clients whose last month's report is due by `now` and not sent yet."""
    due = []
    for client in Client.objects.filter(active=True).order_by("name"):
        zone = ZoneInfo(client.timezone)
        month_start = today_in(zone, now).replace(day=1)
        if now < sending_moment(calendar_spec_for(client), month_start, zone):
            continue
        period = period_containing(MONTH, month_start - timedelta(days=1), zone)
        due.append(Due(client, period))
    sent = set(
        MonthlyReportDelivery.objects.filter(
            client__in=[item.client for item in due],
            month__in={item.period.first_day for item in due},
            sent_at__isnull=False,
        ).values_list("client_id", "month")
    )
    return [item for item in due if (item.client.pk, item.period.first_day) not in sent]


def monthly_report(client: Client, period: Period, now: datetime) -> Report:
    """The SLA compliance report of `client` over `period`, as its page builds it."""
    from .sla import SLA_DEFINITIONS, SLA_TITLE, sla_sections

    scope = ReportScope(client=client, period=period, now=now)
    return Report(
        title=SLA_TITLE,
        scope=scope,
        sections=sla_sections(scope),
        made_by=MADE_BY,
        made_at=now,
        definitions=list(SLA_DEFINITIONS),
    )


def report_link(report: Report) -> str:
    query = urlencode(report.scope.query_string())
    return f"{settings.PORTAL_BASE_URL}{reverse('reports:sla')}?{query}"


def _messages(report: Report, recipients: list) -> list[EmailMultiAlternatives]:
    context = {
        "report": report,
        "link": report_link(report),
        "made_at": timezone.localtime(report.made_at, report.scope.zone),
    }
    subject = " ".join(render_to_string("reports/email/monthly_subject.txt", context).split())
    text = render_to_string("reports/email/monthly.txt", context)
    html = render_to_string("reports/email/monthly.html", context)
    messages = []
    for user in recipients:
        message = EmailMultiAlternatives(subject, text, to=[user.email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def deliver(client: Client, period: Period, now: datetime) -> MonthlyReportDelivery | None:
    """Send `client`'s report over `period` to its team leads, unless it went out already.
    None when it had gone out, or when the client has no lead with an e-mail address yet (a
    later run sends it once one is added)."""
    recipients = [user for user in client_team_leads(client) if user.email]
    if not recipients:
        return None
    with transaction.atomic():
        MonthlyReportDelivery.objects.get_or_create(
            client=client, month=period.first_day, defaults={"claimed_at": now}
        )
        delivery = MonthlyReportDelivery.objects.select_for_update().get(
            client=client, month=period.first_day
        )
        if delivery.sent_at is not None:
            return None
        messages = _messages(monthly_report(client, period, now), recipients)
        # A failure to send raises and rolls the claim back: the next run tries again.
        get_connection().send_messages(messages)
        delivery.sent_at = timezone.now()
        delivery.recipients = ", ".join(user.email for user in recipients)
        delivery.save(update_fields=["sent_at", "recipients"])
    return delivery


def deliver_monthly_reports(now: datetime | None = None) -> list[MonthlyReportDelivery]:
    """Send every report due by `now`; what was sent."""
    now = now or timezone.now()
    sent = [deliver(item.client, item.period, now) for item in due_reports(now)]
    return [delivery for delivery in sent if delivery is not None]
