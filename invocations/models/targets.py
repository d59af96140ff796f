import uuid

from django.conf import settings
from django.db import models

from invocations.fc.targets import Target
from invocations.models.profiles import CredentialProfile


class PinnedTargetQuerySet(models.QuerySet):
    def for_form(self):
        """Targets to offer on the invoke form, grouped by project then target."""
        return self.select_related("profile").order_by("project", "service", "function", "qualifier")

    def pin(
        self,
        *,
        project: str,
        label: str,
        region: str,
        service: str,
        function: str,
        qualifier: str,
        access: str,
        source_file: str,
        created_by=None,
    ) -> tuple["PinnedTarget", str]:
        """Register one target (created / updated / unchanged), keyed by where it points."""
        values = {
            "project": project,
            "label": label,
            "profile": CredentialProfile.objects.filter(name=access).first(),
            "source_file": source_file,
        }
        target, created = self.get_or_create(
            region=region,
            service=service,
            function=function,
            qualifier=qualifier,
            defaults={**values, "created_by": created_by},
        )
        if created:
            return target, "created"
        if all(getattr(target, field) == value for field, value in values.items()):
            return target, "unchanged"
        for field, value in values.items():
            setattr(target, field, value)
        target.save()
        return target, "updated"


class PinnedTarget(models.Model):
    """A function of a Serverless Devs project (`manage.py import_syaml s.yaml`), offered as a
    one-click target on the invoke form: what `s invoke` would call from that project. With a
    service an FC 2.0 function (2.x, component fc), without one an FC 3.0 function (3.x, fc3)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.CharField(max_length=128, blank=True, help_text="the s.yaml `name`, else its folder")
    label = models.CharField(
        max_length=128, help_text="the key under `services:` (`resources:` in 3.x) in s.yaml"
    )
    region = models.CharField(max_length=32)
    service = models.CharField(
        max_length=128, blank=True, help_text="FC 2.0 only: empty for an FC 3.0 function"
    )
    function = models.CharField(max_length=128)
    qualifier = models.CharField(max_length=128, blank=True)
    # The project's `access:` alias, when a profile of that name exists.
    profile = models.ForeignKey(
        "invocations.CredentialProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_file = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PinnedTargetQuerySet.as_manager()

    class Meta:
        ordering = ["project", "service", "function", "qualifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "service", "function", "qualifier"], name="pinned_target_once"
            ),
        ]

    def __str__(self):
        if not self.service:
            return f"{self.target} ({self.region})"  # FC 3.0: function[:qualifier]
        qualifier = f".{self.qualifier}" if self.qualifier else ""
        return f"{self.service}{qualifier}/{self.function} ({self.region})"

    @property
    def target(self) -> Target:
        return Target(self.region, self.function, self.service, self.qualifier)
