"""The audit trail for admins: a filtered list, and the same selection exported."""

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit import chain, presentation
from audit.forms import AuditFilterForm
from audit.models import AuditCheckpoint, AuditEntry
from audit.trail import record
from invocations import exports
from invocations.access import role_required
from invocations.forms.exports import active_filters, errors_text
from invocations.models import Role

COLUMNS = [
    "seq",
    "at",
    "actor",
    "action",
    "source_ip",
    "object_type",
    "object_id",
    "object",
    "before",
    "after",
    "hash",
    "prev_hash",
    "position",
    "mac",
]
PAGE_SIZE = 50


@require_GET
@role_required(Role.ADMIN)
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.all()
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {
            "section": "entries",
            "form": form,
            "page": page,
            "rows": presentation.rows(page),
            "query": query.urlencode(),
            "formats": exports.FORMATS,
            # Two small reads (the newest copy, the partial index of unsealed entries): where the
            # signed digests stand, not a verification (that is manage.py verify_audit).
            "checkpoint": AuditCheckpoint.objects.first(),
            "unsealed": AuditEntry.objects.filter(position__isnull=True).count(),
        },
    )


@require_GET
@role_required(Role.ADMIN)
def entry_export(request, fmt):
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(errors_text(form), content_type="text/plain; charset=utf-8")
    # Written before the export starts: the trail says who took a copy of it.
    record("audit.exported", request=request, after={"format": fmt, "filters": active_filters(form)})
    # Sealed first, so the copy carries every entry's chain hash (the export entry itself too when
    # this request commits as it goes; inside a request transaction it waits for the next seal).
    chain.seal()
    entries = form.filter(AuditEntry.objects.order_by("seq"))
    rows = (tuple(map(entry.to_dict().get, COLUMNS)) for entry in entries.iterator(chunk_size=2000))
    return exports.stream(fmt, "audit", COLUMNS, rows)
