"""History export: invocations as CSV or JSON Lines, with full payloads when asked (?payload=1)."""

from django.http import HttpResponseBadRequest
from django.views.decorators.http import require_GET

from audit import exports, history
from audit.forms import HistoryExportForm, active_filters, errors_text
from audit.trail import record
from invocations.access import role_required
from invocations.models import Invocation, Role


@require_GET
@role_required(Role.VIEWER)
def history_export(request, fmt):
    form = HistoryExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(errors_text(form), content_type="text/plain; charset=utf-8")
    payload = form.cleaned_data["payload"]
    record("history.exported", request=request, after={"format": fmt, "filters": active_filters(form)})
    rows = history.rows(form.filter(Invocation.objects.for_user(request.user)), payload)
    return exports.stream(fmt, "history", history.columns(payload), rows)
