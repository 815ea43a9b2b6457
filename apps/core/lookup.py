"""Finding any log record by its reference, whatever its kind, within the user's clients."""

from django.http import Http404

from .roles import log_models


def model_for_reference(reference: str):
    """The log model whose prefix starts `reference` (INT-…, FLR-…), or None."""
    prefix = reference.split("-", 1)[0].upper()
    for model in log_models():
        if model.reference_prefix == prefix:
            return model
    return None


def find_record(user, reference: str):
    """The record with this reference among those `user` may reach; Http404 otherwise."""
    reference = reference.strip().upper()
    model = model_for_reference(reference)
    record = model.objects.for_user(user).filter(reference=reference).first() if model else None
    if record is None:
        raise Http404(f"No record {reference} among your clients' records.")
    return record
