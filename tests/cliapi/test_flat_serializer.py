"""invocations/api/serializers/flat.py: fields made once per class, each instance its own copies."""

import pytest
from rest_framework import serializers

from invocations.api.serializers.flat import FlatSerializer
from invocations.api.serializers.invocations import InvocationRequestSerializer


def test_each_instance_binds_its_own_copies_of_fields_made_once():
    first, second = (
        InvocationRequestSerializer(context={"a": 1}),
        InvocationRequestSerializer(context={"a": 2}),
    )
    for name in ("profile", "function", "invocation_type"):
        one, two = first.fields[name], second.fields[name]
        assert one is not two
        assert one.parent is first and two.parent is second
        assert one.context == {"a": 1} and two.context == {"a": 2}
    # Made once: the copies share what their constructor built (here, the choices).
    assert first.fields["invocation_type"].choices is second.fields["invocation_type"].choices


def test_one_requests_errors_do_not_reach_the_next():
    bad = InvocationRequestSerializer(data={"function": ""})
    assert not bad.is_valid()
    good = InvocationRequestSerializer(data={"function": "f", "invocation_type": "async"})
    good.is_valid()
    assert "function" not in good.errors and "invocation_type" not in good.errors


@pytest.mark.parametrize(
    "field",
    [serializers.ListField(child=serializers.CharField()), InvocationRequestSerializer()],
    ids=["a field with a child", "a nested serializer"],
)
def test_fields_bound_to_their_parent_are_refused(field):
    class Nested(FlatSerializer):
        inner = field

    with pytest.raises(TypeError, match="plain fields only"):
        _ = Nested().fields
