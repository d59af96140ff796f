"""The audit trail's filters, validated like any other input."""

from __future__ import annotations

from django import forms
from django.db.models import Q


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
