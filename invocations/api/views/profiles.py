from drf_spectacular.utils import extend_schema
from rest_framework import generics

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


@extend_schema(summary="One credential profile (no secrets, ever)")
class ProfileDetail(generics.RetrieveAPIView):
    serializer_class = ProfileSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "profile_id"

    def get_queryset(self):
        return _profiles_for(self.request.user)
