from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from invocations.signals import invocation_ended
        from notifications import receivers

        invocation_ended.connect(receivers.invocation_ended, dispatch_uid="notifications.invocation_ended")
        # `suites` is another app, merged separately: without it, suite notifications simply
        # never fire (tests send the same receiver stand-in runs).
        try:
            from suites.signals import run_finished
        except ImportError:
            return
        run_finished.connect(receivers.suite_run_finished, dispatch_uid="notifications.suite_run_finished")
