"""Everything the apps announce through `invocations.activity` goes into the trail."""

from django.dispatch import receiver

from audit.trail import record
from invocations.activity import performed


@receiver(performed, dispatch_uid="audit.activity")
def activity_performed(sender, action, actor, request, obj, before, after, **kwargs):
    record(action, actor=actor, request=request, obj=obj, before=before, after=after)
