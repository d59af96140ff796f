"""Events as files: download one body, export a set as a zip, import files and zips."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from invocations.access import require_role
from invocations.models import Role
from savedevents import transfer
from savedevents.access import get_event_for_user, require_creator
from savedevents.forms import ExportForm, ImportForm


@login_required
def download(request, uuid):
    event = get_event_for_user(request.user, uuid).event
    content_type = {"json": "application/json", "text": "text/plain; charset=utf-8"}.get(
        event.kind, "application/octet-stream"
    )
    response = HttpResponse(event.payload(), content_type=content_type)
    # Quoted (and RFC 5987-encoded when not ASCII) by Django; an event saved before names were
    # matched whole may end in a newline, which no header may carry: it is left out.
    name = "".join(c for c in transfer.filename(event) if c.isprintable())
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def export(request):
    require_role(request.user, Role.VIEWER)
    form = ExportForm(request.POST, user=request.user)
    if not form.is_valid():
        # Only a hand-made request gets here (the list offers visible events only).
        return redirect("savedevents:list")
    response = HttpResponse(transfer.export_zip(form.cleaned_data["events"]), content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="events-{stamp}.zip"'
    return response


@login_required
def import_events(request):
    require_creator(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcomes = None
    if request.method == "POST" and form.is_valid():
        importer = transfer.Importer(
            request.user,
            visibility=form.cleaned_data["visibility"],
            require_json=form.cleaned_data["require_json"],
            invocation_type=form.cleaned_data["invocation_type"],
        )
        for upload in form.cleaned_data["files"]:
            importer.add_upload(upload.name, upload.read())
        outcomes = importer.outcomes
    return render(request, "savedevents/import.html", {"form": form, "outcomes": outcomes})
