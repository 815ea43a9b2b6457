"""API tokens in the admin: every person's, to see who can call the API and to revoke.

Tokens are issued by their owners on their own page; here nothing is added or edited.
"""

from django.contrib import admin, messages

from apps.core.admin import ChangesOnlyAdmin

from .models import ApiToken
from .tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(ChangesOnlyAdmin):
    list_display = (
        "user",
        "name",
        "scope",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__first_name", "user__last_name", "name")
    list_select_related = ("user",)
    fields = (
        "user",
        "name",
        "scope",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's action needs "change"; a token's own page is shown, never edited.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the row says who could call the API until when

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        revoked = [
            token_revoke(token, actor=request.user)
            for token in queryset.filter(revoked_at__isnull=True).select_related("user")
        ]
        messages.success(
            request, f"Revoked {len(revoked)} token{'s' if len(revoked) != 1 else ''}."
        )
