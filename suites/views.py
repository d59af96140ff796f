"""Suite pages: list, create, edit checks, versions, runs (live), schedules, files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from invocations.access import require_role
from invocations.models import Role
from suites import runs, schedules, transfer
from suites.access import get_run_for_user, get_schedule_for_user, get_suite_for_user, require_creator
from suites.compare import compare_runs
from suites.expectations import describe
from suites.forms import CheckForm, ImportForm, RunForm, ScheduleForm, SuiteForm
from suites.models import Suite

# htmx stops polling on this status (and still swaps the answer in).
STOP_POLLING = 286
POLL_SECONDS = 1


@login_required
def suite_list(request):
    role = require_role(request.user, Role.VIEWER)
    rows = Suite.objects.visible_to(request.user).select_related("owner")
    return render(request, "suites/list.html", {"suites": rows, "can_create": role.allows(Role.INVOKER)})


@login_required
def create(request):
    require_creator(request.user)
    form = SuiteForm(request.POST or None, instance=Suite(owner=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            suite = form.save(commit=False).save_new(request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved suite {suite.name}. Add its checks.")
            return redirect("suites:detail", suite.uuid)
    return render(request, "suites/form.html", {"form": form, "title": "New suite"})


@login_required
def detail(request, uuid):
    access = get_suite_for_user(request.user, uuid)
    suite = access.suite
    checks = [(i, c, describe(c["expect"])) for i, c in enumerate(suite.checks)]
    return render(
        request,
        "suites/detail.html",
        {
            "access": access,
            "suite": suite,
            "checks": checks,
            "versions": suite.versions.select_related("created_by")[:20],
            "runs": suite.runs.select_related("user")[:20],
            "schedules": suite.schedules.select_related("run_as"),
            "run_form": RunForm(user=request.user),
            "schedule_form": ScheduleForm(user=request.user),
        },
    )


@login_required
def edit(request, uuid):
    suite = get_suite_for_user(request.user, uuid, "edit").suite
    form = SuiteForm(request.POST or None, instance=suite)
    if request.method == "POST" and form.is_valid():
        try:
            form.save(commit=False).save_edit(request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("suites:detail", suite.uuid)
    return render(request, "suites/form.html", {"form": form, "title": f"Edit {suite.name}", "suite": suite})


@login_required
def edit_check(request, uuid, index=None):
    """Add a check (no index) or change check `index`; either is a new version of the suite."""
    suite = get_suite_for_user(request.user, uuid, "edit").suite
    if index is not None and not 0 <= index < len(suite.checks):
        raise Http404("No such check.")
    initial = CheckForm.initial_for(suite.checks[index]) if index is not None else None
    form = CheckForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        checks = list(suite.checks)
        if index is None:
            checks.append(form.check)
        else:
            checks[index] = form.check
        suite.checks = checks
        note = f"{'added' if index is None else 'changed'} check {form.check['name']}"
        try:
            suite.save_edit(request.user, note=note)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved version {suite.version}.")
            return redirect("suites:detail", suite.uuid)
    title = "Add a check" if index is None else f"Change check {index + 1}"
    return render(request, "suites/check_form.html", {"form": form, "suite": suite, "title": title})


@login_required
@require_POST
def remove_check(request, uuid, index):
    suite = get_suite_for_user(request.user, uuid, "edit").suite
    if not 0 <= index < len(suite.checks):
        raise Http404("No such check.")
    checks = list(suite.checks)
    removed = checks.pop(index)
    suite.checks = checks
    suite.save_edit(request.user, note=f"removed check {removed['name']}")
    return redirect("suites:detail", suite.uuid)


@login_required
@require_POST
def restore(request, uuid, number):
    suite = get_suite_for_user(request.user, uuid, "edit").suite
    version = suite.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    suite.restore_version(version, request.user)
    messages.success(request, f"Version {number} is current again, as version {suite.version}.")
    return redirect("suites:detail", suite.uuid)


@login_required
@require_POST
def delete(request, uuid):
    suite = get_suite_for_user(request.user, uuid, "delete").suite
    suite.soft_delete(request.user)
    messages.success(request, f"Deleted {suite.name}.")
    return redirect("suites:list")


@login_required
@require_POST
def undelete(request, uuid):
    suite = get_suite_for_user(request.user, uuid, "undelete", deleted=True).suite
    try:
        suite.undelete(request.user)
    except ValidationError as exc:
        messages.error(request, f"Cannot undelete: {' '.join(exc.messages)}")
        return redirect("suites:list")
    return redirect("suites:detail", suite.uuid)


@login_required
@require_POST
def run(request, uuid):
    suite = get_suite_for_user(request.user, uuid, "run").suite
    form = RunForm(request.POST, user=request.user)
    override = form.cleaned_data["profile"] if form.is_valid() else ""
    started = runs.start(suite, request.user, source="web", profile_override=override)
    return redirect("suites:run", started.uuid)


def _run_context(request, suite_run) -> dict:
    return {
        "run": suite_run,
        "previous": suite_run.suite.runs.filter(created_at__lt=suite_run.created_at)
        .order_by("-created_at")
        .first(),
        "checks": list(suite_run.run_checks.select_related("invocation")),
        "poll_seconds": None if suite_run.is_finished else POLL_SECONDS,
    }


@login_required
def run_detail(request, uuid):
    suite_run = get_run_for_user(request.user, uuid)
    runs.finish_if_done(suite_run.pk)
    suite_run.refresh_from_db()
    return render(request, "suites/run.html", _run_context(request, suite_run))


@login_required
def run_compare(request, uuid, other):
    """Two runs of one suite side by side (`other` first, as the earlier one is usually A)."""
    a, b = get_run_for_user(request.user, other), get_run_for_user(request.user, uuid)
    if a.suite_id != b.suite_id:
        raise Http404("Runs of different suites are not compared.")
    return render(request, "suites/run_compare.html", {"a": a, "b": b, "pairs": compare_runs(a, b)})


@login_required
def run_live(request, uuid):
    """htmx: the run's checks; finishes the run when it can, and answers 286 once finished."""
    suite_run = get_run_for_user(request.user, uuid)
    if not suite_run.is_finished:
        runs.finish_if_done(suite_run.pk)
        suite_run.refresh_from_db()
    response = render(request, "suites/_run_live.html", _run_context(request, suite_run))
    if suite_run.is_finished:
        response.status_code = STOP_POLLING
    return response


@login_required
@require_POST
def add_schedule(request, uuid):
    suite = get_suite_for_user(request.user, uuid, "schedule").suite
    form = ScheduleForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            schedules.add(suite, request.user, form.cleaned_data["cron"], form.cleaned_data["profile"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Scheduled.")
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("suites:detail", suite.uuid)


@login_required
@require_POST
def remove_schedule(request, uuid):
    schedule = get_schedule_for_user(request.user, uuid)
    schedules.remove(schedule, request.user)
    return redirect("suites:detail", schedule.suite.uuid)


@login_required
def export(request, uuid=None):
    require_role(request.user, Role.VIEWER)
    rows = Suite.objects.visible_to(request.user).select_related("owner")
    if uuid is not None:
        rows = [get_suite_for_user(request.user, uuid).suite]
    response = HttpResponse(transfer.export_zip(rows, request.user), content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="suites-{stamp}.zip"'
    return response


@login_required
def import_suites(request):
    require_creator(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcomes = None
    if request.method == "POST" and form.is_valid():
        importer = transfer.Importer(request.user, visibility=form.cleaned_data["visibility"])
        upload = form.cleaned_data["file"]
        importer.add_upload(upload.name, upload.read())
        outcomes = importer.all_outcomes
    return render(request, "suites/import.html", {"form": form, "outcomes": outcomes})
