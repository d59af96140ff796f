"""The invoke form and the small htmx endpoints behind its pickers."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from invocations import browse, jsontext, rules
from invocations.access import get_invocation_for_user, get_profile_for_invoker, role_required
from invocations.fc.errors import FCError
from invocations.forms.invoke import InvokeForm
from invocations.models import CredentialProfile, Invocation, PinnedTarget, Role


def _initial_from(invocation) -> dict:
    """Prefill the form from a past invocation ("edit and run")."""
    initial = {
        "profile": invocation.profile.uuid,
        "region": invocation.region,
        "service": invocation.service,
        "qualifier": invocation.qualifier,
        "function": invocation.function,
        "invocation_type": invocation.invocation_type,
        "client_timeout": invocation.client_timeout,
    }
    request = invocation.http_request
    if request:
        initial.update(
            as_http=True,
            http_method=request.get("method", "GET"),
            http_path=request.get("path", "/"),
            http_headers="\n".join(f"{k}: {v}" for k, v in (request.get("headers") or {}).items()),
            http_query="\n".join(f"{k}={v}" for k, v in (request.get("queries") or {}).items()),
        )
        text = request.get("body") or ""
    else:
        try:
            text = bytes(invocation.event or b"").decode()
        except UnicodeDecodeError:
            # A file input cannot be prefilled: the page asks for the file again.
            initial["event_kind"] = "binary"
            return initial
    initial["event_text"] = text
    initial["event_kind"] = "json" if _is_json(text) else "text"
    return initial


def _initial_from_pinned(target: PinnedTarget, profiles) -> dict:
    """Prefill the target from an s.yaml function pinned by `manage.py import_syaml`."""
    initial = {
        "region": target.region,
        "service": target.service,
        "qualifier": target.qualifier,
        "function": target.function,
    }
    # The project's `access:` profile only when this user may use it; else they choose one.
    if target.profile_id and profiles.filter(pk=target.profile_id).exists():
        initial["profile"] = target.profile.uuid
    return initial


def _is_json(text: str) -> bool:
    if not text.strip():
        return True
    try:
        jsontext.loads(text)
    except ValueError:
        return False
    return True


@role_required(Role.INVOKER)
def invoke(request):
    source = None
    if request.method == "POST":
        form = InvokeForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                invocation = Invocation.objects.submit(
                    user=request.user, source="web", **form.submit_arguments()
                )
            except ValidationError as error:
                form.add_submit_errors(error)
            except PermissionDenied as error:
                form.add_error("profile", str(error) or "You may not invoke with this profile.")
            else:
                return redirect("invocation", invocation.uuid)
    else:
        initial = {}
        if request.GET.get("from"):
            try:
                source, _ = get_invocation_for_user(request.user, request.GET["from"])
            except (Http404, ValidationError):
                source = None
            if source is not None:
                initial = _initial_from(source)
        elif request.GET.get("pinned"):
            target = PinnedTarget.objects.filter(uuid=_uuid_or_none(request.GET["pinned"])).first()
            if target is not None:
                initial = _initial_from_pinned(target, CredentialProfile.objects.usable_by(request.user))
        form = InvokeForm(initial=initial, user=request.user)
    ctx = {
        "form": form,
        "profiles": form.fields["profile"].queryset,
        "source": source,
        "pinned_targets": PinnedTarget.objects.for_form(),
    }
    return render(request, "invocations/invoke.html", ctx)


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _browse_args(request):
    """The profile (404 unless the user may use it) and the region (ValidationError if not a region id)."""
    try:
        profile = get_profile_for_invoker(request.user, request.GET.get("profile", ""))
    except ValidationError:  # not a UUID
        raise Http404("unknown profile") from None
    region = profile.region_or_default(request.GET.get("region", "").strip())
    # The region becomes part of the endpoint's host name: only a region id may get there.
    rules.validate_region(region)
    return profile, region


def _check_names(service: str, function: str = "") -> None:
    """Only names FC could hold go into a path to FC (ValidationError otherwise)."""
    if service:
        rules.validate_service_name(service)
    if function:
        rules.validate_function_name(function, fc3=not service)


def _options(request, fetch):
    options, error = [], None
    try:
        options = fetch(*_browse_args(request))
    except ValidationError as e:
        error = " ".join(e.messages)
    except FCError as e:
        error = browse.describe_error(e)
    return render(request, "invocations/_options.html", {"options": options, "error": error})


@require_GET
@role_required(Role.INVOKER)
def browse_services(request):
    return _options(request, lambda p, r: [(s, "") for s in browse.services(p, r)])


@require_GET
@role_required(Role.INVOKER)
def browse_functions(request):
    """A 2.0 service's functions, or without a service the region's FC 3.0 functions."""
    service = request.GET.get("service", "").strip()

    def fetch(profile, region):
        _check_names(service)
        return [(f, "") for f in browse.functions(profile, region, service)]

    return _options(request, fetch)


@require_GET
@role_required(Role.INVOKER)
def browse_qualifiers(request):
    """LATEST, aliases and versions: a 2.0 service's, or an FC 3.0 function's (no service)."""
    service = request.GET.get("service", "").strip()
    function = request.GET.get("function", "").strip()
    if not service and not function:
        return render(request, "invocations/_options.html", {"options": []})

    def fetch(profile, region):
        _check_names(service, function)
        return browse.qualifiers(profile, region, service, function)

    return _options(request, fetch)


@require_GET
@role_required(Role.INVOKER)
def browse_trigger(request):
    """What FC says about the chosen function's HTTP trigger; the page shows or hides its HTTP
    fields from it, without redrawing them (what the user or a saved event put there stays).
    No service: an FC 3.0 function."""
    service = request.GET.get("service", "").strip()
    function = request.GET.get("function", "").strip()
    trigger = error = None
    if function:
        try:
            profile, region = _browse_args(request)
            _check_names(service, function)
            trigger = browse.http_trigger(
                profile, region, service, function, request.GET.get("qualifier", "")
            )
        except ValidationError as e:
            error = " ".join(e.messages)
        except FCError as e:
            error = browse.describe_error(e)
    methods = ((trigger or {}).get("triggerConfig") or {}).get("methods") or []
    ctx = {"trigger": trigger, "methods": methods, "error": error}
    return render(request, "invocations/_http_trigger.html", ctx)
