"""History: every invocation the user may see, newest first, filtered, cursor-paginated; and the
same selection exported as CSV or JSON Lines, with full payloads when asked (?payload=1)."""

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from invocations import activity, exports
from invocations.access import role_required
from invocations.forms.exports import active_filters, errors_text
from invocations.forms.history import PAGE_SIZE, HistoryExportForm, HistoryFilterForm, encode_cursor
from invocations.history import rows as history_rows
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
    rows, older, newer = [], None, None
    if form.is_valid():
        visible = (
            Invocation.objects.for_user(request.user).select_related("user", "profile").only(*ROW_FIELDS)
        )
        rows = list(form.filter(visible)[: PAGE_SIZE + 1])
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        if form.going_newer:
            # Fetched oldest first from the cursor row: older rows exist (the cursor row at least).
            rows.reverse()
            older = encode_cursor(rows[-1]) if rows else None
            newer = encode_cursor(rows[0]) if more else None
        else:
            older = encode_cursor(rows[-1]) if more else None
            newer = encode_cursor(rows[0]) if rows and form.cleaned_data.get("cursor") else None
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
        "next_query": form.querystring(cursor=older, newer=None) if older else None,
        "newer_query": form.querystring(newer=newer, cursor=None) if newer else None,
        "first_query": form.querystring(cursor=None, newer=None)
        if request.GET.get("cursor") or request.GET.get("newer")
        else None,
        # The export takes the same filters and writes the whole selection, not this page.
        "export_query": form.querystring(cursor=None, newer=None),
        "export_formats": exports.FORMATS,
    }
    return render(request, "invocations/history.html", ctx)


@require_GET
@role_required(Role.VIEWER)
def history_export(request, fmt):
    form = HistoryExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(errors_text(form), content_type="text/plain; charset=utf-8")
    payload = form.cleaned_data["payload"]
    activity.record(
        "history.exported", request=request, after={"format": fmt, "filters": active_filters(form)}
    )
    rows = history_rows.rows(form.filter(Invocation.objects.for_user(request.user)), payload)
    return exports.stream(fmt, "history", history_rows.columns(payload), rows)
