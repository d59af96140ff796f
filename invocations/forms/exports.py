"""What an export endpoint says about its filter form: for the audit entry, and for a bad request."""


def active_filters(form) -> dict:
    """What a valid filter form selects by, for the audit entry of an export."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}


def errors_text(form) -> str:
    """A bound form's errors as plain lines, for endpoints that answer files rather than pages."""
    return "\n".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
