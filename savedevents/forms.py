"""One small form per action. Model rules (JSON, limits, names) live on SavedEvent.clean()."""

import base64

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from invocations.fc import events as templates
from savedevents.bodies import InvocationType, Kind
from savedevents.models import SavedEvent, Visibility

META_FIELDS = [
    "name",
    "description",
    "visibility",
    "target_service",
    "target_function",
    "invocation_type",
    "tags",
]


class EventMetaForm(forms.ModelForm):
    """Everything about an event but its body: used where the body comes from elsewhere
    (a template, an invocation)."""

    class Meta:
        model = SavedEvent
        fields = META_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "visibility": forms.RadioSelect,
            "invocation_type": forms.RadioSelect,
        }
        labels = {
            "invocation_type": "Meant for",
            "target_service": "Service (FC 2.0 only)",
            "target_function": "Function",
        }
        help_texts = {
            "tags": "Comma-separated, e.g. oss, smoke-test.",
            "target_service": "Empty for an FC 3.0 function (or for any function, with no function either).",
        }

    def add_error(self, field, error):
        # The model also checks the body, which this form does not show: its errors (too large
        # for async, say) go above the form instead of failing for want of a field.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            placed: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                placed.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(errors)
            error = ValidationError(placed)
        super().add_error(field, error)


class EventForm(EventMetaForm):
    """Create or edit an event with its body: typed in, or uploaded (any kind)."""

    upload = forms.FileField(
        required=False,
        help_text="Replaces the body. Binary files are kept as they are; JSON and text must be UTF-8.",
    )

    class Meta(EventMetaForm.Meta):
        fields = [*META_FIELDS[:1], "kind", "body", *META_FIELDS[1:]]
        widgets = EventMetaForm.Meta.widgets | {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 16, "class": "code", "spellcheck": "false"}),
        }

    def clean(self):
        # Runs before the model's clean (ModelForm._post_clean), so the body is in place for it.
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            raw = upload.read()
            if data.get("kind") == Kind.BINARY:
                data["body"] = base64.b64encode(raw).decode("ascii")
            else:
                try:
                    data["body"] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    self.add_error(
                        "upload", "This file is not UTF-8 text; choose Binary to keep it as bytes."
                    )
        return data


def template_params_form(template: templates.EventTemplate, data=None) -> forms.Form:
    """A form with one field per template parameter, prefixed so names never clash with the
    event's own fields (templates have parameters called `body`, `key`, `path`...)."""
    fields = {}
    for param in template.params:
        if param.choices:
            field = forms.ChoiceField(choices=[(c, c) for c in param.choices])
        elif isinstance(param.default, int):
            field = forms.IntegerField()
        elif param.kind == "lines":
            field = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
        else:
            field = forms.CharField(required=False, strip=False)
        field.label, field.initial, field.help_text = param.label, param.default, param.help
        fields[param.name] = field
    if data is not None:
        # A parameter left out of the request keeps its default, as on the command line.
        data = data.copy()
        for param in template.params:
            data.setdefault(f"p-{param.name}", param.default)
    form_class = type(f"{template.name.title()}ParamsForm", (_ParamsForm,), fields)
    return form_class(data, prefix="p", template=template)


class _ParamsForm(forms.Form):
    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.rendered = ""
        self.kind = Kind.JSON

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                event = self.template.build(**data)
            except templates.TemplateError as exc:
                self.add_error(exc.param if exc.param in self.fields else None, str(exc))
                return data
            # Most events are JSON; the MNS stream shape is the bare message text.
            self.kind = Kind.TEXT if isinstance(event, str) else Kind.JSON
            self.rendered = self.template.render(**data)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        help_text="Event files (.json, .bin for binary) or zips of event-template/ folders."
    )
    visibility = forms.ChoiceField(
        label="Visibility of new events",
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
        help_text="Events you already have keep their visibility; share or unshare them on their page.",
    )
    require_json = forms.TypedChoiceField(
        label="Content",
        choices=[("1", "must be JSON (reject others)"), ("0", "JSON when they parse, else text")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    invocation_type = forms.ChoiceField(
        label="Meant for",
        choices=InvocationType.choices,
        initial=InvocationType.SYNC,
        widget=forms.RadioSelect,
        help_text="Async events are limited to 128 KB.",
    )


class ExportForm(forms.Form):
    events = forms.ModelMultipleChoiceField(queryset=SavedEvent.objects.none(), to_field_name="uuid")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = SavedEvent.objects.visible_to(user)


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1)
    b = forms.IntegerField(min_value=1)


class PickerForm(forms.Form):
    service = forms.CharField(required=False, max_length=128)
    function = forms.CharField(required=False, max_length=128)
    q = forms.CharField(required=False, max_length=100, label="Search")


class ListFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    mine = forms.BooleanField(required=False, label="Only mine")
