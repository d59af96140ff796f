from rest_framework import serializers

from invocations.models import CredentialProfile


class ProfileSerializer(serializers.ModelSerializer):
    """A credential profile as the API shows it: never a secret, only the masked AccessKey ID."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    masked_access_key_id = serializers.CharField(read_only=True)
    is_sts = serializers.BooleanField(read_only=True, help_text="uses an STS token")
    endpoint = serializers.CharField(
        read_only=True,
        help_text="endpoint override for FC 2.0 calls, and for FC 3.0 ones when endpoint_fc3 is empty; "
        "empty: FC's public endpoint of the account and region",
    )
    endpoint_fc3 = serializers.CharField(
        read_only=True,
        help_text="endpoint override for FC 3.0 calls (functions without a service); empty: endpoint, "
        "else FC's public endpoint",
    )

    class Meta:
        model = CredentialProfile
        fields = [
            "id",
            "name",
            "description",
            "account_id",
            "default_region",
            "masked_access_key_id",
            "is_sts",
            "endpoint",
            "endpoint_fc3",
            "protected",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
