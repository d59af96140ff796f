"""One small form per filter or POST action of the audit and team pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q

from invocations.forms.history import HistoryFilterForm
from invocations.models import Role

User = get_user_model()


class AuditFilterForm(forms.Form):
    since = forms.DateTimeField(required=False, help_text="from this time (UTC), e.g. 2026-11-24 09:00")
    until = forms.DateTimeField(required=False, help_text="up to this time")
    actor = forms.CharField(required=False, max_length=150, help_text="username")
    action = forms.CharField(
        required=False, max_length=64, help_text="exact, or a prefix ending in a dot: 'profile.'"
    )
    object = forms.CharField(required=False, max_length=200, help_text="object id, or part of its name")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise forms.ValidationError("'since' must be before 'until'.")
        return data

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
        if data.get("since"):
            queryset = queryset.filter(at__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(at__lte=data["until"])
        return queryset


class HistoryExportForm(HistoryFilterForm):
    """The history page's own filters, so its query string exports its selection; the export is
    the whole selection, not one page of it, so the page links' cursors are left out."""

    cursor = None
    newer = None
    payload = forms.BooleanField(required=False, help_text="include events, responses and log tails")


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


def active_filters(form) -> dict:
    """What a valid filter form selects by, for the audit entry of an export."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}


def errors_text(form) -> str:
    """A bound form's errors as plain lines, for endpoints that answer files rather than pages."""
    return "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
