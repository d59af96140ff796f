"""History filters, validated like any other input; and the (created_at, id) cursor."""

import base64
from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from invocations.models import CredentialProfile, InvocationState

PAGE_SIZE = 50
# A target with a service is FC 2.0, one without FC 3.0: the API filter is "has a service".
API_CHOICES = [("", "FC 2.0 and 3.0"), ("fc2", "FC 2.0 (with a service)"), ("fc3", "FC 3.0 (no service)")]


def encode_cursor(invocation) -> str:
    raw = f"{invocation.created_at.isoformat()}|{invocation.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at, pk = raw.split("|")
        created_at = datetime.fromisoformat(at)
        if created_at.tzinfo is None:
            raise ValueError("naive time")
        return created_at, int(pk)
    except ValueError:
        raise forms.ValidationError("This page link is damaged; start again from the newest.") from None


class ProfileChoiceField(forms.ModelChoiceField):
    """A profile by its UUID; anything else (a mistyped or made-up link) is simply no such profile,
    not a lesson on UUID syntax."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class HistoryFilterForm(forms.Form):
    # Names and ids match by their start ("hel" finds hello): the indexes on them use
    # varchar_pattern_ops, so a prefix is an index range whatever the database's collation.
    function = forms.CharField(
        max_length=128, required=False, widget=forms.TextInput(attrs={"placeholder": "name or its start"})
    )
    service = forms.CharField(max_length=128, required=False, label="Service (FC 2.0)")
    api = forms.ChoiceField(choices=API_CHOICES, required=False, label="API")
    profile = ProfileChoiceField(
        queryset=CredentialProfile.objects.order_by("name"),
        to_field_name="uuid",
        required=False,
        empty_label="any profile",
        error_messages={"invalid_choice": "There is no such profile: choose one from the list."},
    )
    user = forms.CharField(max_length=150, required=False, label="User")
    state = forms.ChoiceField(choices=[("", "any state"), *InvocationState.choices], required=False)
    invocation_type = forms.ChoiceField(
        choices=[("", "sync or async"), ("sync", "Sync"), ("async", "Async")], required=False, label="Type"
    )
    since = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    until = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    request_id = forms.CharField(
        max_length=128,
        required=False,
        label="Request ID",
        widget=forms.TextInput(attrs={"placeholder": "or its start"}),
    )
    async_invocation_id = forms.CharField(
        max_length=128,
        required=False,
        label="Async task ID",
        widget=forms.TextInput(attrs={"placeholder": "or its start"}),
    )
    # The function page's "Full history" link asks for its function only, not every name it begins.
    match = forms.ChoiceField(
        choices=[("", "starts with"), ("exact", "exact")], required=False, widget=forms.HiddenInput
    )
    # Page links: `cursor` shows the rows older than a row, `newer` the rows newer than one.
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)
    newer = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_cursor(self):
        value = self.cleaned_data["cursor"]
        return decode_cursor(value) if value else None

    def clean_newer(self):
        value = self.cleaned_data["newer"]
        return decode_cursor(value) if value else None

    @property
    def going_newer(self) -> bool:
        """The page asked for lies before the cursor row (filter() then orders oldest first)."""
        return bool(self.is_valid() and self.cleaned_data.get("newer"))

    def clean_user(self):
        """The user, looked up once: filtering on the id lets the (user, created_at) index answer."""
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"No user is called {username}.")
        return user

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the time range is before its start.")
        return cleaned

    def filter(self, queryset):
        """Apply the filters and the cursor; newest first by (created_at, id).

        With `newer`, the rows newer than that row, oldest first: the page is the first
        PAGE_SIZE of them, shown reversed (see the history view).
        """
        data = self.cleaned_data
        starts = "exact" if data.get("match") == "exact" else "startswith"
        lookups = {
            f"function__{starts}": data.get("function", "").strip(),
            "service": data.get("service", "").strip(),
            "profile": data.get("profile"),
            "user": data.get("user"),
            "state": data.get("state"),
            "invocation_type": data.get("invocation_type"),
            "request_id__startswith": data.get("request_id", "").strip(),
            "async_invocation_id__startswith": data.get("async_invocation_id", "").strip(),
        }
        queryset = queryset.filter(**{k: v for k, v in lookups.items() if v})
        if data.get("api") == "fc3":
            queryset = queryset.filter(service="")
        elif data.get("api") == "fc2":
            queryset = queryset.exclude(service="")
        if data.get("since"):
            queryset = queryset.filter(created_at__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(created_at__lte=data["until"])
        if data.get("cursor"):
            at, pk = data["cursor"]
            # (created_at, id) < (at, pk). The plain `<=` bound lets PostgreSQL start the index scan
            # at the cursor; the OR alone made it walk every newer row first (bench/RESULTS.md has the figures).
            queryset = queryset.filter(Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(pk__lt=pk)))
        elif data.get("newer"):
            at, pk = data["newer"]
            # (created_at, id) > (at, pk), bounded the same way for the index.
            queryset = queryset.filter(Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(pk__gt=pk)))
            return queryset.order_by("created_at", "id")
        return queryset.order_by("-created_at", "-id")

    def querystring(self, **changes) -> str:
        """The current filters as a query string, with `changes` applied (for page links)."""
        params = self.data.copy()
        for key, value in changes.items():
            params.pop(key, None)
            if value:
                params[key] = value
        return params.urlencode()


class HistoryExportForm(HistoryFilterForm):
    """The history page's own filters, so its query string exports its selection; the export is
    the whole selection, not one page of it, so the page links' cursors are left out."""

    cursor = None
    newer = None
    payload = forms.BooleanField(required=False, help_text="include events, responses and log tails")
