from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from invocations.api.lookups import uuid_or_404, uuid_path_parameter
from invocations.api.serializers.profiles import ProfileSerializer
from invocations.models import CredentialProfile


def _profiles_for(user):
    """The profiles a user may invoke with (all of them for admins); viewers see none."""
    return CredentialProfile.objects.usable_by(user)


@extend_schema(summary="Credential profiles you may invoke with (no secrets, ever)")
class ProfileList(generics.ListAPIView):
    serializer_class = ProfileSerializer
    pagination_class = None

    def get_queryset(self):
        return _profiles_for(self.request.user)


@extend_schema(
    parameters=[uuid_path_parameter("profile_id")], summary="One credential profile (no secrets, ever)"
)
class ProfileDetail(generics.RetrieveAPIView):
    serializer_class = ProfileSerializer

    def get_object(self):
        return get_object_or_404(
            _profiles_for(self.request.user), uuid=uuid_or_404(self.kwargs["profile_id"])
        )
