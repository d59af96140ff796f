"""Following a function's async tasks through one of my profiles."""

from django import forms
from django.core.exceptions import ValidationError

from invocations import rules
from invocations.fc.targets import Target
from invocations.models import CredentialProfile


class FollowForm(forms.Form):
    profile = forms.ModelChoiceField(queryset=CredentialProfile.objects.none(), to_field_name="uuid")
    region = forms.CharField(required=False, validators=[rules.validate_region])
    service = forms.CharField(required=False, validators=[rules.validate_service_name])
    function = forms.CharField(validators=[rules.validate_function_name])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = CredentialProfile.objects.usable_by(user)

    def clean(self):
        cleaned = super().clean()
        profile, function = cleaned.get("profile"), cleaned.get("function")
        if profile and function:
            if not cleaned.get("service") and len(function) > 64:
                raise ValidationError("An FC 3.0 function name has at most 64 characters.")
            cleaned["target"] = Target(
                profile.region_or_default(cleaned.get("region")), function, cleaned.get("service") or ""
            )
        return cleaned
