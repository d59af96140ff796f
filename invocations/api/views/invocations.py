"""Invocations: create (optionally waiting for the end), list the history, read one, stop, re-run.

Creating goes through `Invocation.objects.submit`, exactly as the web form does: the same
permission checks, validation messages and queueing. The API never calls FC itself.
"""

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from invocations import rules
from invocations.access import get_invocation_for_user, require_role, visible_invocations
from invocations.api.errors import Conflict, ItemsInvalid
from invocations.api.lookups import uuid_or_404, uuid_path_parameter
from invocations.api.pagination import HistoryCursor
from invocations.api.serializers.errors import BatchErrorSerializer, ErrorSerializer
from invocations.api.serializers.invocations import (
    BatchRequestSerializer,
    BatchResponseSerializer,
    HistoryFilterSerializer,
    InvocationDetailSerializer,
    InvocationRequestSerializer,
    InvocationSerializer,
    RerunRequestSerializer,
    WaitSerializer,
    errors_by_index,
)
from invocations.lifecycle import wakeups
from invocations.models import Invocation, Role
from invocations.models.invocations import Source


def _get_invocation_for_user(request, invocation_id) -> Invocation:
    invocation, _ = get_invocation_for_user(request.user, uuid_or_404(invocation_id))
    return invocation


def _wait_seconds(request) -> int:
    """`?wait=N`, checked before anything is submitted."""
    params = WaitSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data["wait"]


def _created(request, invocation: Invocation, wait: int) -> Response:
    """201 with the invocation, once it is terminal or `wait` seconds have passed."""

    def is_over(outcome) -> bool:
        if outcome is None:
            invocation.refresh_outcome()
        else:
            invocation.take_outcome(outcome)
        return invocation.is_terminal

    # Without `wait` the answer is the row as submitted (queued); each wake-up re-reads it, unless
    # it carried the row as its end was written (lifecycle/wakeups.py).
    if wait and not invocation.is_terminal:
        wakeups.wait(invocation.pk, is_over, wait)
    data = InvocationDetailSerializer(invocation).data
    location = request.build_absolute_uri(reverse("api-invocation", args=[invocation.uuid]))
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


class InvocationList(generics.ListCreateAPIView):
    serializer_class = InvocationSerializer
    pagination_class = HistoryCursor

    def get_queryset(self):
        return HistoryFilterSerializer(data=self.request.query_params).filter(
            visible_invocations(self.request.user)
        )

    @extend_schema(
        parameters=[HistoryFilterSerializer], summary="The team's invocation history, newest first"
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InvocationRequestSerializer,
        parameters=[WaitSerializer],
        responses={201: InvocationDetailSerializer},
        summary="Invoke a function (recorded in the history like the web form); with a service it is "
        "FC 2.0, without one FC 3.0",
    )
    def post(self, request, *args, **kwargs):
        wait = _wait_seconds(request)
        payload = InvocationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invocation = Invocation.objects.submit(user=request.user, source=Source.API, **payload.validated_data)
        return _created(request, invocation, wait)


class InvocationBatch(APIView):
    @extend_schema(
        request=BatchRequestSerializer,
        responses={
            201: BatchResponseSerializer,
            400: OpenApiResponse(
                BatchErrorSerializer,
                description="one item refused refuses the batch, nothing is written: its messages "
                "under `fields.items.<index>`; more than 1,000 items or none under `fields.items`",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="your role does not allow invoking, or an item's profile is not granted to "
                "you (the message names the item)",
            ),
        },
        summary=f"Invoke up to {rules.BATCH_LIMIT:,} functions at once: all recorded in one transaction and "
        "queued together, or none",
    )
    def post(self, request):
        payload = BatchRequestSerializer(data=request.data)
        if not payload.is_valid():
            errors = payload.errors
            # Items refused by their shape, by index; the batch itself (too long, empty): a list.
            if isinstance(errors.get("items"), dict):
                raise ItemsInvalid({"items": errors_by_index(errors["items"])})
            raise exceptions.ValidationError(errors)
        try:
            rows = Invocation.objects.submit_many(
                user=request.user, items=payload.validated_data["items"], source=Source.API
            )
        except rules.ItemsRefused as refused:
            raise ItemsInvalid(
                {"items": {str(index): _field_messages(exc) for index, exc in refused.items.items()}}
            ) from None
        return Response({"ids": [str(row.uuid) for row in rows]}, status=status.HTTP_201_CREATED)


def _field_messages(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


class InvocationDetail(generics.RetrieveAPIView):
    serializer_class = InvocationDetailSerializer

    @extend_schema(
        parameters=[uuid_path_parameter("invocation_id")],
        summary="One invocation: result, log tail, metrics and async timeline",
    )
    def get(self, request, invocation_id):
        return Response(self.get_serializer(_get_invocation_for_user(request, invocation_id)).data)


class InvocationStop(APIView):
    @extend_schema(
        request=None,
        parameters=[uuid_path_parameter("invocation_id")],
        responses={
            200: InvocationDetailSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="not an async invocation still running, or FC refused the stop "
                "(the message names FC's ErrorCode)",
            ),
        },
        summary="Stop an async invocation (FC 2.0 StopStatefulAsyncInvocation, FC 3.0 StopAsyncTask)",
    )
    def post(self, request, invocation_id):
        require_role(request.user, Role.INVOKER)
        invocation = _get_invocation_for_user(request, invocation_id)
        if not invocation.is_async or invocation.is_terminal:
            raise Conflict("Only an async invocation that has not ended can be stopped.")
        try:
            invocation.stop(request.user)
        except ValidationError as exc:
            # The task ended meanwhile, or FC refused the stop (its code is in the message).
            raise Conflict(" ".join(exc.messages)) from None
        return Response(InvocationDetailSerializer(_get_invocation_for_user(request, invocation_id)).data)


class InvocationRerun(APIView):
    @extend_schema(
        request=RerunRequestSerializer,
        parameters=[uuid_path_parameter("invocation_id"), WaitSerializer],
        responses={201: InvocationDetailSerializer},
        summary="Send the same request again as a new invocation",
    )
    def post(self, request, invocation_id):
        wait = _wait_seconds(request)
        original = _get_invocation_for_user(request, invocation_id)
        payload = RerunRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invocation = original.rerun(request.user, source=Source.API, **payload.validated_data)
        return _created(request, invocation, wait)
