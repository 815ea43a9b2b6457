"""Keeping clocks in step with maintenance windows, whatever path changed them.

A maintenance interruption can be saved by its form, the admin, a status change, or a bulk
action, and a record can be tied to one later by a "caused by" link: every save that changes
its window (times, status, services) queues a recompute of the clocks it may move, after the
transaction commits. A save that leaves the window as it was (an assignment, a note, a new
title) queues nothing.
"""

from django.contrib.contenttypes.models import ContentType

from apps.core.choices import LinkRelation
from apps.core.models import OutboxMessage
from apps.core.queueing import enqueue_on_commit
from apps.interruptions.models import Interruption, InterruptionKind

from .maintenance import maintenance_windows_touch

# What a maintenance window is made of, besides its services.
WINDOW_FIELDS = ("client_id", "kind", "status", "planned_start", "planned_end", "ended_at")


def _window(instance: Interruption) -> tuple:
    return tuple(getattr(instance, name) for name in WINDOW_FIELDS)


def maintenance_saving(sender, instance: Interruption, raw: bool = False, **kwargs) -> None:
    """Keep the window as stored, to tell after the save whether it moved (one query; an
    interruption that stops being a maintenance releases the clocks it held)."""
    if raw or instance.pk is None:
        return
    instance._stored_window = (
        Interruption.objects.filter(pk=instance.pk).values_list(*WINDOW_FIELDS).first()
    )


def _recompute_window(interruption_id: int) -> None:
    """Queue the window's recompute, unless one not sent yet will already read it as saved."""
    from .tasks import recompute_for_maintenance

    pending = OutboxMessage.objects.filter(
        task_name=recompute_for_maintenance.name,
        args=[interruption_id],
        sent_at__isnull=True,
        claimed_until__isnull=True,
    )
    if not pending.exists():
        enqueue_on_commit(recompute_for_maintenance, interruption_id)


def maintenance_saved(sender, instance: Interruption, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    stored = getattr(instance, "_stored_window", None)
    instance._stored_window = _window(instance)
    was_maintenance = stored is not None and stored[1] == InterruptionKind.MAINTENANCE
    if instance.kind != InterruptionKind.MAINTENANCE and not was_maintenance:
        return
    if created or stored != _window(instance):
        _recompute_window(instance.pk)


def cause_linked(sender, instance, created: bool, **kwargs) -> None:
    """A record newly caused by an interruption under maintenance: recompute its clocks."""
    if not created or instance.relation != LinkRelation.CAUSED_BY:
        return
    if instance.target_type_id != ContentType.objects.get_for_model(Interruption).pk:
        return
    if not maintenance_windows_touch(instance.client_id, instance.target_id):
        return
    from .tasks import recompute_clocks_of

    enqueue_on_commit(recompute_clocks_of, instance.source_type_id, instance.source_id)


def services_changed(sender, instance, action: str, **kwargs) -> None:
    """An interruption's affected services are saved after the interruption itself, so its
    due times were computed without them: recompute once they are known, if any of them is
    under maintenance."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, Interruption):
        return
    if instance.kind == InterruptionKind.MAINTENANCE:
        _recompute_window(instance.pk)  # the window now covers other services
        return
    if not maintenance_windows_touch(instance.client_id, instance.pk):
        return
    from .tasks import recompute_clocks_of

    interruption_type = ContentType.objects.get_for_model(Interruption).pk
    enqueue_on_commit(recompute_clocks_of, interruption_type, instance.pk)
