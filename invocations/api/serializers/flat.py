"""Serializers of plain fields whose fields are made once per class, not once per request.

DRF makes a serializer's fields for each instance by deep-copying the declared ones, which
re-runs every field's constructor with deep copies of its arguments (a queryset, the choices):
a quarter of a millisecond for the invoke request's twelve fields, on every API call (issue 18).
A field keeps nothing of one request for the next (errors are raised, values returned), so a
plain field made once can be copied shallowly and bound to each instance instead. A nested
serializer, or a field with a child field (ListField, DictField), keeps fields bound to itself,
which a shallow copy would share: those are refused.
"""

from __future__ import annotations

import copy

from rest_framework import serializers


class FlatSerializer(serializers.Serializer):
    def get_fields(self):
        cls = type(self)
        made = cls.__dict__.get("_fields_made")
        if made is None:
            made = super().get_fields()
            nested = [
                name
                for name, field in made.items()
                if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child")
            ]
            if nested:
                raise TypeError(f"{cls.__name__}: a FlatSerializer holds plain fields only, not {nested}")
            cls._fields_made = made
        return {name: copy.copy(field) for name, field in made.items()}
