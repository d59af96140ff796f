from invocations.models import role_of


def console(request):
    role = role_of(getattr(request, "user", None))
    return {"console_role": role.value if role else None}
