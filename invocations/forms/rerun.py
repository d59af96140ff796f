"""The invocation page's Re-run button: empty, or the function name again for a protected profile."""

from django import forms


class RerunForm(forms.Form):
    confirm_function = forms.CharField(
        max_length=128,
        required=False,
        label="Type the function name to confirm",
        help_text="This profile is protected.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def add_submit_errors(self, error) -> None:
        """Show a ValidationError from `submit` on the confirmation, or above the button."""
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                for e in errors:
                    self.add_error("confirm_function" if key == "confirm_function" else None, e)
        else:
            self.add_error(None, error)
