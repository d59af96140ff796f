"""Create an event from a trigger template: the template's parameters, previewed live, then saved."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from invocations.fc import events as templates
from savedevents.access import require_creator
from savedevents.forms import EventMetaForm, template_params_form
from savedevents.models import SavedEvent
from savedevents.views.events import save_new


def _template(name: str) -> templates.EventTemplate:
    try:
        return templates.get(name)
    except templates.TemplateError:
        raise Http404("No such event template.") from None


@login_required
def choose(request):
    require_creator(request.user)
    return render(request, "savedevents/new.html", {"templates": templates.TEMPLATES.values()})


@login_required
def from_template(request, template):
    require_creator(request.user)
    template = _template(template)
    params = template_params_form(template, request.POST or None)
    event = SavedEvent(owner=request.user, template=template.name)
    meta = EventMetaForm(
        request.POST or None, instance=event, initial={"name": template.filename_for().removesuffix(".json")}
    )
    if request.method == "POST" and params.is_valid():
        # The body is in place before the meta form validates, since the model checks it.
        event.kind, event.body = params.kind, params.rendered
    if request.method == "POST" and params.is_valid() and meta.is_valid():
        if saved := save_new(request, meta, note=f"created from the {template.name} template"):
            return saved
    return render(
        request,
        "savedevents/from_template.html",
        {"template": template, "params": params, "meta": meta, "preview": _preview(template, params)},
    )


@login_required
@require_POST
def preview(request, template):
    """The live preview fragment: the event these parameters make, or what is wrong with them."""
    require_creator(request.user)
    template = _template(template)
    params = template_params_form(template, request.POST)
    return render(request, "savedevents/_preview.html", _preview(template, params))


def _preview(template, params) -> dict:
    if not params.is_bound:
        # First view of the page: show the event the defaults make.
        return {"rendered": template.render(), "filename": template.filename_for(), "errors": None}
    if params.is_valid():
        return {
            "rendered": params.rendered,
            "filename": template.filename_for(**params.cleaned_data),
            "errors": None,
        }
    return {"rendered": "", "filename": "", "errors": params.errors}
