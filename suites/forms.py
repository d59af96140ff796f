"""One small form per action on suites; the check form speaks in fields, the model in JSON."""

import json

from django import forms
from django.core.exceptions import ValidationError

from invocations.models import CredentialProfile
from savedevents.models import SavedEvent, Visibility
from suites import definition
from suites.models import Suite


class SuiteForm(forms.ModelForm):
    class Meta:
        model = Suite
        fields = ["name", "description", "visibility"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def _json_or_blank(text: str, label: str):
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationError(f'{label} is a JSON value (quote text: "ok")') from None


class CheckForm(forms.Form):
    """One check: where it calls, with what, and what it expects back (all expectations optional)."""

    name = forms.CharField(max_length=200, required=False, help_text="Defaults to the function name.")
    profile = forms.ChoiceField(required=False, help_text="Blank: the run chooses.")
    region = forms.CharField(max_length=32, required=False, help_text="Blank: the profile's default.")
    service = forms.CharField(max_length=128, required=False, help_text="FC 2.0 only; blank for FC 3.0.")
    function = forms.CharField(max_length=128)
    qualifier = forms.CharField(max_length=128, required=False)
    saved_event = forms.ChoiceField(required=False, label="Saved event")
    event_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Or an inline event"
    )
    invocation_type = forms.ChoiceField(choices=[("sync", "Sync"), ("async", "Async")], initial="sync")
    http = forms.BooleanField(required=False, label="HTTP trigger (the event describes the request)")
    state = forms.ChoiceField(
        choices=[("", "succeeded (default)"), ("succeeded", "succeeded"), ("failed", "failed")],
        required=False,
        label="Ends in state",
    )
    error_type = forms.CharField(required=False, label="with error type")
    json_path = forms.CharField(
        required=False, label="JSON path", help_text="e.g. $.a.b[0].c; blank: the whole result"
    )
    equals = forms.CharField(required=False, label="equals (JSON)")
    contains = forms.CharField(required=False, label="contains (JSON)")
    matches = forms.CharField(required=False, label="matches (regular expression)")
    max_duration_ms = forms.FloatField(required=False, min_value=0, label="Duration at most (ms)")
    max_memory_mb = forms.FloatField(required=False, min_value=0, label="Memory at most (MB)")
    log_contains = forms.CharField(required=False, label="Log tail contains")
    log_excludes = forms.CharField(required=False, label="Log tail does not contain")
    http_status = forms.IntegerField(required=False, min_value=100, max_value=599, label="HTTP status")

    EXPECT_FIELDS = (
        "state", "error_type", "json_path", "equals", "contains", "matches", "max_duration_ms",
        "max_memory_mb", "log_contains", "log_excludes", "http_status",
    )  # fmt: skip

    # Prefixed: an input named `matches` or `contains` would shadow the form element's own DOM
    # methods of those names, which scripts (and browser tests) call.
    prefix = "check"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        profiles = CredentialProfile.objects.usable_by(user).order_by("name").values_list("name", flat=True)
        self.fields["profile"].choices = [("", "(chosen at run time)")] + [(p, p) for p in profiles]
        events = (
            SavedEvent.objects.visible_to(user).order_by("name").values_list("name", flat=True).distinct()
        )
        self.fields["saved_event"].choices = [("", "(none: inline event)")] + [(e, e) for e in events]

    @classmethod
    def initial_for(cls, check: dict) -> dict:
        initial = {k: check[k] for k in ("name", "profile", "region", "service", "function", "qualifier")}
        initial |= {"invocation_type": check["invocation_type"], "http": check["http"]}
        initial["saved_event"] = check["event"].get("saved", "")
        initial["event_text"] = check["event"].get("text", "")
        for key, value in check["expect"].items():
            initial[key] = json.dumps(value) if key in ("equals", "contains") else value
        return initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        expect = {}
        for key in self.EXPECT_FIELDS:
            value = data.get(key)
            if value in (None, ""):
                continue
            if key in ("equals", "contains"):
                try:
                    value = _json_or_blank(value, key)
                except ValidationError as exc:
                    self.add_error(key, exc)
                    continue
            if key in ("max_duration_ms", "max_memory_mb") and float(value).is_integer():
                value = int(value)
            expect[key] = value
        event = (
            {"saved": data["saved_event"]}
            if data.get("saved_event")
            else {"text": data.get("event_text", "")}
        )
        check = {
            k: data.get(k) or "" for k in ("name", "profile", "region", "service", "function", "qualifier")
        }
        check |= {
            "event": event,
            "invocation_type": data["invocation_type"],
            "http": data["http"],
            "expect": expect,
        }
        if not self.errors:
            try:
                self.check = definition.clean_check(check)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return data


class RunForm(forms.Form):
    profile = forms.ChoiceField(required=False, label="Profile for every check")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        profiles = CredentialProfile.objects.usable_by(user).order_by("name").values_list("name", flat=True)
        self.fields["profile"].choices = [("", "(each check's own)")] + [(p, p) for p in profiles]


class ScheduleForm(RunForm):
    cron = forms.CharField(
        max_length=100,
        label="Cron (UTC)",
        help_text="minute hour day-of-month month day-of-week, e.g. */15 * * * *",
    )


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A suites zip (suite/*.json with event-template/*), or one suite .json.")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)
