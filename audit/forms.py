"""One small form per filter or POST action of the audit and team pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q

from invocations.models import CredentialProfile, InvocationState, Role
from invocations.models.invocations import InvocationType

User = get_user_model()


class _TimeRangeForm(forms.Form):
    since = forms.DateTimeField(required=False, help_text="from this time (UTC), e.g. 2026-11-24 09:00")
    until = forms.DateTimeField(required=False, help_text="up to this time")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise forms.ValidationError("'since' must be before 'until'.")
        return data

    def _time_filter(self, queryset, field: str):
        if self.cleaned_data.get("since"):
            queryset = queryset.filter(**{f"{field}__gte": self.cleaned_data["since"]})
        if self.cleaned_data.get("until"):
            queryset = queryset.filter(**{f"{field}__lte": self.cleaned_data["until"]})
        return queryset

    def active_filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class AuditFilterForm(_TimeRangeForm):
    actor = forms.CharField(required=False, max_length=150, help_text="username")
    action = forms.CharField(
        required=False, max_length=64, help_text="exact, or a prefix ending in a dot: 'profile.'"
    )
    object = forms.CharField(required=False, max_length=200, help_text="object id, or part of its name")

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("actor"):
            queryset = queryset.filter(actor_name=data["actor"])
        if data.get("action"):
            action = data["action"]
            queryset = (
                queryset.filter(action__startswith=action)
                if action.endswith(".")
                else queryset.filter(action=action)
            )
        if data.get("object"):
            queryset = queryset.filter(Q(object_id=data["object"]) | Q(object_repr__icontains=data["object"]))
        return self._time_filter(queryset, "at")


class HistoryFilterForm(_TimeRangeForm):
    """The history page's filters under the same names, so its query string exports its selection."""

    user = forms.CharField(required=False, max_length=150, help_text="username")
    profile = forms.ModelChoiceField(
        queryset=CredentialProfile.objects.all(), to_field_name="uuid", required=False
    )
    service = forms.CharField(required=False, max_length=128)
    function = forms.CharField(required=False, max_length=128)
    state = forms.ChoiceField(required=False, choices=[("", "any"), *InvocationState.choices])
    invocation_type = forms.ChoiceField(required=False, choices=[("", "any"), *InvocationType.choices])
    request_id = forms.CharField(required=False, max_length=128)
    payload = forms.BooleanField(required=False, help_text="include events, responses and log tails")

    def filter(self, queryset):
        data = self.cleaned_data
        exact = {
            "user__username": data.get("user"),
            "profile": data.get("profile"),
            "service": data.get("service"),
            "function": data.get("function"),
            "state": data.get("state"),
            "invocation_type": data.get("invocation_type"),
            "request_id": data.get("request_id"),
        }
        return self._time_filter(queryset.filter(**{k: v for k, v in exact.items() if v}), "created_at")


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with this name already exists.")
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ActiveForm(forms.Form):
    active = forms.BooleanField(required=False)


def errors_text(form) -> str:
    """A bound form's errors as plain lines, for endpoints that answer files rather than pages."""
    return "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
