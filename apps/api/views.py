"""A person's own API tokens: the list, issuing one (its secret shown once), revoking one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ApiTokenForm
from .selectors import tokens_of
from .tokens import token_issue, token_revoke

PAGE_SIZE = 25


def _page(request, form: ApiTokenForm, issued=None, secret: str = ""):
    now = timezone.now()
    page = Paginator(tokens_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(token, token.status(now)) for token in page]
    context = {"page": page, "rows": rows, "form": form, "issued": issued, "secret": secret}
    response = render(request, "api/tokens.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The list and the form. A token issued is shown in the answer to the POST itself, not
    after a redirect: its secret is never stored, so this one page is the only time it shows.
    """
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = token_issue(
                request.user,
                name=data["name"],
                scope=data["scope"],
                expires_at=form.expires_at(timezone.now()),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _page(request, ApiTokenForm(), issued=token, secret=secret)
    return _page(request, form)


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(tokens_of(request.user), pk=pk)
    if token.revoked_at is None:
        token_revoke(token, actor=request.user)
        messages.success(request, f"Revoked “{token.name}”: programs using it are refused now.")
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("api_tokens:list")
