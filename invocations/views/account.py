"""The signed-in user's own page: who they are, and their REST API tokens (created, revoked)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from invocations import activity
from invocations.access import role_required
from invocations.models import ApiToken, Role

MAX_ACTIVE_TOKENS = 20


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=64, help_text="What will use it, e.g. “CI deploy job”.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        if self.user.api_tokens.active().count() >= MAX_ACTIVE_TOKENS:
            raise forms.ValidationError(f"You have {MAX_ACTIVE_TOKENS} active tokens: revoke one first.")
        return super().clean()


def _page(request, form, new_token=None, status=200):
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "account/account.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=status,
    )


# The plaintext of a token just created waits in the session for the one page that shows it,
# and is taken out as it is shown: reloading that page, or the POST's redirect, shows it no more.
PENDING_SESSION_KEY = "account.pending"


@role_required(Role.VIEWER)
def account(request):
    new_token = None
    pending = request.session.pop(PENDING_SESSION_KEY, None)
    if pending:
        token = request.user.api_tokens.active().filter(uuid=pending["uuid"]).first()
        if token:
            new_token = {"token": token, "plaintext": pending["plaintext"]}
    response = _page(request, ApiTokenForm(user=request.user), new_token=new_token)
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@role_required(Role.VIEWER)
@require_POST
def create_api_token(request):
    form = ApiTokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    token, plaintext = ApiToken.objects.issue(request.user, form.cleaned_data["name"])
    activity.record(
        "api_token.created", request=request, obj=token, after={"name": token.name, "hint": token.hint}
    )
    # Post/redirect/get: reloading the page after creating a token must not create another.
    request.session[PENDING_SESSION_KEY] = {"uuid": str(token.uuid), "plaintext": plaintext}
    return redirect(reverse("account") + "#api-tokens")


@role_required(Role.VIEWER)
@require_POST
def revoke_api_token(request, token_uuid):
    token = get_object_or_404(request.user.api_tokens.active(), uuid=token_uuid)
    token.revoke()
    activity.record(
        "api_token.revoked", request=request, obj=token, before={"name": token.name, "hint": token.hint}
    )
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("account")
