from django import forms
from django.contrib.auth import get_user_model

from invocations.models import CredentialProfile, Role


class SecretInput(forms.PasswordInput):
    """Never renders a value: a stored secret is not sent back to the browser, even masked."""

    def __init__(self, **kwargs):
        super().__init__(render_value=False, attrs={"autocomplete": "new-password", **kwargs})


class ProfileForm(forms.ModelForm):
    """Create or edit a credential profile. Secrets are write-only: an empty field keeps them."""

    access_key_secret = forms.CharField(
        label="AccessKey secret", required=False, strip=True, max_length=256, widget=SecretInput()
    )
    security_token = forms.CharField(
        label="STS security token",
        required=False,
        strip=True,
        max_length=4096,
        widget=SecretInput(),
        help_text="Only for temporary (STS) credentials.",
    )
    clear_security_token = forms.BooleanField(label="Remove the stored STS token", required=False)
    endpoint = forms.URLField(
        label="Endpoint (FC 2.0, and 3.0 unless set below)",
        required=False,
        assume_scheme="https",
        help_text="Override, e.g. http://127.0.0.1:9000 for fclocal. Empty: the region's FC endpoint.",
    )
    endpoint_fc3 = forms.URLField(
        label="FC 3.0 endpoint",
        required=False,
        assume_scheme="https",
        help_text="Override for functions without a service (FC 3.0). Empty: the endpoint above, "
        "or the region's FC endpoint when that is empty too.",
    )
    allowed_users = forms.ModelMultipleChoiceField(
        label="Invokers who may use it",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CredentialProfile
        fields = [
            "name",
            "description",
            "account_id",
            "default_region",
            "access_key_id",
            "endpoint",
            "endpoint_fc3",
            "protected",
            "all_invokers",
            "allowed_users",
        ]
        labels = {"name": "Name (the -a alias)", "account_id": "Account ID", "access_key_id": "AccessKey ID"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.fields["allowed_users"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, membership__role=Role.INVOKER)
            .order_by("username")
        )
        self.fields["allowed_users"].label_from_instance = lambda u: u.get_username()
        self.fields["account_id"].widget.attrs["inputmode"] = "numeric"
        if self.creating:
            self.fields["access_key_secret"].required = True
            del self.fields["clear_security_token"]
        else:
            # The key id is shown masked too: the form starts empty and an empty field keeps it.
            self.initial["access_key_id"] = ""
            key_id = self.fields["access_key_id"]
            key_id.required = False
            key_id.widget.attrs["placeholder"] = self.instance.masked_access_key_id
            key_id.help_text = f"Stored: {self.instance.masked_access_key_id}. Leave empty to keep it."
            secret = self.fields["access_key_secret"]
            secret.help_text = "Stored. Leave empty to keep it; type a new one to replace it."
            if self.instance.is_sts:
                self.fields["security_token"].help_text = "Stored. Leave empty to keep it."
            else:
                del self.fields["clear_security_token"]

    # Account id, key id, name and region are judged by the model fields' validators
    # (invocations.rules), the same ones import_access and the CLI's env profiles meet.

    def clean_access_key_id(self):
        value = self.cleaned_data["access_key_id"].strip()
        if not value and not self.creating:
            return self.instance.access_key_id
        return value

    def clean_endpoint(self):
        # The model field checks the host against the allow-list (rules.validate_endpoint).
        return self.cleaned_data["endpoint"].strip().rstrip("/")

    def clean_endpoint_fc3(self):
        return self.cleaned_data["endpoint_fc3"].strip().rstrip("/")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("security_token") and cleaned.get("clear_security_token"):
            self.add_error("security_token", "Either type a new token or remove the stored one, not both.")
        return cleaned

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        # A refused form comes back without the secrets typed into it (SecretInput never renders
        # a value, and they are kept nowhere else): say so where they were typed.
        for name, what in (("access_key_secret", "secret"), ("security_token", "token")):
            if name in self.fields and self.data.get(name, "").strip() and name not in self._errors:
                self.add_error(name, f"For safety the {what} was not kept; type it again.")

    def save(self, commit=True):
        profile = super().save(commit=False)
        secret = self.cleaned_data.get("access_key_secret")
        token = self.cleaned_data.get("security_token") or None
        if secret:
            profile.set_secret(secret, token)
        elif token:
            profile.set_secret(profile.access_key_secret(), token)
        if self.cleaned_data.get("clear_security_token"):
            profile.security_token_encrypted = ""
        if commit:
            profile.save()
            self.save_m2m()
        return profile
