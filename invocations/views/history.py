"""History: every invocation the user may see, newest first, filtered, cursor-paginated."""

from django.shortcuts import render

from invocations.access import role_required
from invocations.forms.history import PAGE_SIZE, HistoryFilterForm, encode_cursor
from invocations.models import CredentialProfile, Invocation, Role

# What a history row shows; the payloads and log tails stay in the database.
ROW_FIELDS = [
    "uuid",
    "created_at",
    "state",
    "state_reason",
    "invocation_type",
    "source",
    "region",
    "service",
    "qualifier",
    "function",
    "duration_ms",
    "max_memory_used_mb",
    "request_id",
    "error_code",
    "error_type",
    "http_status",
    "async_status",
    "user__username",
    "profile__name",
    "profile__uuid",
]


@role_required(Role.VIEWER)
def history(request):
    # Always bound: no filters is a valid (empty) set of filters.
    form = HistoryFilterForm(request.GET)
    rows, next_cursor = [], None
    if form.is_valid():
        visible = (
            Invocation.objects.for_user(request.user).select_related("user", "profile").only(*ROW_FIELDS)
        )
        rows = list(form.filter(visible)[: PAGE_SIZE + 1])
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_cursor = encode_cursor(rows[-1])
    may_invoke = request.role.allows(Role.INVOKER)
    usable = (
        set(CredentialProfile.objects.usable_by(request.user).values_list("pk", flat=True))
        if may_invoke
        else set()
    )
    ctx = {
        "form": form,
        "rows": rows,
        "usable_profiles": usable,
        "next_query": form.querystring(cursor=next_cursor) if next_cursor else None,
        "first_query": form.querystring(cursor=None) if request.GET.get("cursor") else None,
    }
    return render(request, "invocations/history.html", ctx)
