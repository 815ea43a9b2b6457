"""Keeping clocks in step with maintenance windows, whatever path changed them.

A maintenance interruption can be saved by its form, the admin, a status change, or a bulk
action, and a record can be tied to one later by a "caused by" link: every such save queues a
recompute of the clocks it may move, after the transaction commits.
"""

from django.contrib.contenttypes.models import ContentType

from apps.core.choices import LinkRelation
from apps.core.queueing import enqueue_on_commit
from apps.interruptions.models import Interruption, InterruptionKind

from .maintenance import maintenance_windows_touch


def maintenance_saved(sender, instance: Interruption, **kwargs) -> None:
    if instance.kind == InterruptionKind.MAINTENANCE:
        from .tasks import recompute_for_maintenance

        enqueue_on_commit(recompute_for_maintenance, instance.pk)


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
    if not isinstance(instance, Interruption) or instance.kind == InterruptionKind.MAINTENANCE:
        return
    if not maintenance_windows_touch(instance.client_id, instance.pk):
        return
    from .tasks import recompute_clocks_of

    interruption_type = ContentType.objects.get_for_model(Interruption).pk
    enqueue_on_commit(recompute_clocks_of, interruption_type, instance.pk)
