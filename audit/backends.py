from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come over the network.

    Axes refuses `authenticate()` calls without a request; in-process callers (the test client's
    `login()`, a management command, the shell) have none and no remote client to throttle, so they
    pass through to the next backend, which does the actual password check.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
