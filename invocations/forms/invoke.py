"""The invoke form: what `s invoke` takes as flags, as one web form.

The form checks what only the browser side knows (JSON syntax when JSON is declared, the file
upload, the HTTP-request fields). Names, payload limits, the async id and the protected-profile
confirmation are checked by `Invocation.objects.submit` (core's rules) — the view maps those
errors back onto these fields, so there is one set of rules for web, API and CLI.
"""

from django import forms

from invocations import jsontext
from invocations.models import CredentialProfile

EVENT_KINDS = [("json", "JSON"), ("text", "Text"), ("binary", "Binary file")]
HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]

# Keys of core's ValidationError -> the field of this form that shows the message.
SUBMIT_ERROR_FIELDS = {
    "profile": "profile",
    "region": "region",
    "service": "service",
    "qualifier": "qualifier",
    "function": "function",
    "event": "event_text",
    "invocation_type": "invocation_type",
    "client_timeout": "client_timeout",
    "async_invocation_id": "async_invocation_id",
    "http_request": "http_path",
    "confirm_function": "confirm_function",
}


def _lines(text: str, separator: str, what: str) -> dict[str, str]:
    """Parse `Name: value` / `key=value` lines; a malformed line is an error naming it."""
    pairs = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(separator)
        if not sep or not name.strip():
            raise forms.ValidationError(
                f"Line {number} is not a {what} (expected name{separator}value): {line[:80]}"
            )
        pairs[name.strip()] = value.strip()
    return pairs


class InvokeForm(forms.Form):
    profile = forms.ModelChoiceField(queryset=CredentialProfile.objects.none(), to_field_name="uuid")
    region = forms.CharField(max_length=32, required=False, help_text="Empty: the profile's default region.")
    service = forms.CharField(
        max_length=128,
        required=False,
        label="Service (FC 2.0 only)",
        help_text="Empty for an FC 3.0 function: a target without a service is FC 3.0.",
    )
    qualifier = forms.CharField(
        max_length=128, required=False, help_text="Alias or version; empty means LATEST."
    )
    function = forms.CharField(max_length=128)
    event_kind = forms.ChoiceField(choices=EVENT_KINDS, initial="json", widget=forms.RadioSelect)
    event_text = forms.CharField(
        required=False,
        strip=False,
        label="Payload",
        widget=forms.Textarea(attrs={"rows": 12, "class": "code", "spellcheck": "false"}),
    )
    event_file = forms.FileField(required=False, label="Event file", help_text="Sent as is, byte for byte.")
    invocation_type = forms.ChoiceField(
        choices=[("sync", "Sync"), ("async", "Async")], initial="sync", widget=forms.RadioSelect
    )
    client_timeout = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=86400 + 600,
        label="Client timeout (s)",
        help_text="How long to wait for the answer; empty: function timeout plus a margin.",
    )
    async_invocation_id = forms.CharField(
        max_length=128, required=False, label="Async invocation ID", help_text="Empty: one is generated."
    )
    confirm_function = forms.CharField(
        max_length=128,
        required=False,
        label="Type the function name to confirm",
        help_text="This profile is protected.",
    )
    # HTTP-trigger request (shown when the function has an HTTP trigger); the event is the body.
    as_http = forms.BooleanField(required=False, label="Send as an HTTP request")
    http_method = forms.ChoiceField(
        choices=[(m, m) for m in HTTP_METHODS], initial="GET", required=False, label="Method"
    )
    http_path = forms.CharField(max_length=2048, required=False, initial="/", label="Path")
    http_headers = forms.CharField(
        required=False,
        label="Headers",
        widget=forms.Textarea(attrs={"rows": 3, "class": "code"}),
        help_text="One per line: Name: value",
    )
    http_query = forms.CharField(
        required=False,
        label="Query",
        widget=forms.Textarea(attrs={"rows": 3, "class": "code"}),
        help_text="One per line: key=value",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = CredentialProfile.objects.usable_by(user).order_by("name")
        self.fields["event_kind"].required = False
        self.fields["invocation_type"].required = False
        # The invoke page fills these datalists from FC through the chosen profile. No
        # autocomplete="off": the browser would then not restore them on Back after Invoke.
        for name in ("service", "function", "qualifier"):
            self.fields[name].widget.attrs.update(list=f"{name}s-list", spellcheck="false")

    def clean_event_text(self):
        text = self.cleaned_data["event_text"]
        if self.data.get("event_kind", "json") == "json" and text.strip():
            try:
                jsontext.loads(text)
            except ValueError as error:
                raise forms.ValidationError(
                    f"This is not valid JSON ({error}). Fix it, or choose Text to send it as is."
                ) from None
        return text

    def clean_http_headers(self):
        return _lines(self.cleaned_data["http_headers"], ":", "header")

    def clean_http_query(self):
        return _lines(self.cleaned_data["http_query"], "=", "query parameter")

    def clean(self):
        cleaned = super().clean()
        cleaned["event_kind"] = cleaned.get("event_kind") or "json"
        cleaned["invocation_type"] = cleaned.get("invocation_type") or "sync"
        profile = cleaned.get("profile")
        if profile and not cleaned.get("region"):
            cleaned["region"] = profile.region_or_default(cleaned.get("region"))
        if cleaned["event_kind"] == "binary":
            if not cleaned.get("event_file"):
                self.add_error("event_file", "Choose the file to send as the event.")
            elif cleaned.get("as_http"):
                self.add_error("event_file", "An HTTP request body is text; choose JSON or Text.")
        return cleaned

    def event(self) -> bytes | str:
        """The uploaded file's bytes, or the typed text (submit encodes it)."""
        if self.cleaned_data["event_kind"] == "binary":
            return self.cleaned_data["event_file"].read()
        return self.cleaned_data["event_text"]

    def http_request(self) -> dict | None:
        if not self.cleaned_data.get("as_http"):
            return None
        return {
            "method": self.cleaned_data.get("http_method") or "GET",
            "path": self.cleaned_data.get("http_path") or "/",
            "headers": self.cleaned_data["http_headers"],
            "queries": self.cleaned_data["http_query"],
            "body": self.cleaned_data["event_text"],
        }

    def submit_arguments(self) -> dict:
        """Keyword arguments for `Invocation.objects.submit` (user and source added by the caller)."""
        data = self.cleaned_data
        http_request = self.http_request()
        return {
            "profile": data["profile"],
            "region": data["region"],
            "service": data["service"].strip(),
            "qualifier": data["qualifier"].strip(),
            "function": data["function"].strip(),
            # With an HTTP trigger the event text travels as the request body, not as an event.
            "event": b"" if http_request else self.event(),
            "invocation_type": data["invocation_type"],
            "client_timeout": data["client_timeout"],
            "async_invocation_id": data["async_invocation_id"].strip(),
            "http_request": http_request,
            # Judged by submit, like every source's confirmation (rules.validate_confirmation).
            "confirm_function": data["confirm_function"],
        }

    def add_submit_errors(self, error) -> None:
        """Show a ValidationError from `submit` on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            field = SUBMIT_ERROR_FIELDS.get(key)
            if field == "event_text" and self.cleaned_data.get("event_kind") == "binary":
                field = "event_file"
            for e in errors:
                self.add_error(field, e)
