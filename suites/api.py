"""Suites in the REST API: list, create, read, change (a new version), run, and read a run.

Who may do what is `suites.access`, as on the pages. A run answers 201 at once with the run;
poll `GET /api/v1/suite-runs/<id>/` until `state` is `finished` (its `verdict` is then final).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from invocations.api.lookups import uuid_or_404, uuid_path_parameter
from suites import runs
from suites.access import get_run_for_user, get_suite_for_user, require_creator
from suites.models import Suite


class SuiteSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=["private", "team"], required=False, default="private")
    checks = serializers.JSONField(required=False, default=list, help_text="see docs/cli-api.md, Suites")
    owner = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    def to_representation(self, instance):
        return instance.to_dict()

    def apply(self, suite: Suite) -> Suite:
        for key, value in self.validated_data.items():
            setattr(suite, key, value)
        return suite


class RunRequestSerializer(serializers.Serializer):
    profile = serializers.CharField(required=False, allow_blank=True, default="", help_text="for every check")


class SuiteRunSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    state = serializers.CharField()
    verdict = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    checks = serializers.JSONField()

    def to_representation(self, instance):
        return instance.to_dict()


class SuiteList(APIView):
    @extend_schema(responses=SuiteSerializer(many=True), summary="Your suites and the team's")
    def get(self, request):
        rows = Suite.objects.visible_to(request.user).select_related("owner")
        return Response([s.to_dict() for s in rows])

    @extend_schema(request=SuiteSerializer, responses={201: SuiteSerializer}, summary="Save a suite")
    def post(self, request):
        require_creator(request.user)
        payload = SuiteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        suite = payload.apply(Suite(owner=request.user)).save_new(request.user, note="created via API")
        return Response(suite.to_dict(), status=status.HTTP_201_CREATED)


@extend_schema(parameters=[uuid_path_parameter("suite_id")])
class SuiteDetail(APIView):
    @extend_schema(responses=SuiteSerializer, summary="One suite")
    def get(self, request, suite_id):
        return Response(get_suite_for_user(request.user, uuid_or_404(suite_id)).suite.to_dict())

    @extend_schema(
        request=SuiteSerializer,
        responses=SuiteSerializer,
        summary="Change a suite (new checks: a new version)",
    )
    def put(self, request, suite_id):
        suite = get_suite_for_user(request.user, uuid_or_404(suite_id), "edit").suite
        payload = SuiteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        payload.apply(suite).save_edit(request.user, note="edited via API")
        return Response(suite.to_dict())


@extend_schema(parameters=[uuid_path_parameter("suite_id")])
class SuiteRunStart(APIView):
    @extend_schema(request=RunRequestSerializer, responses={201: SuiteRunSerializer}, summary="Run a suite")
    def post(self, request, suite_id):
        suite = get_suite_for_user(request.user, uuid_or_404(suite_id), "run").suite
        payload = RunRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = runs.start(
            suite, request.user, source="api", profile_override=payload.validated_data["profile"]
        )
        return Response(run.to_dict(), status=status.HTTP_201_CREATED)


@extend_schema(parameters=[uuid_path_parameter("run_id")])
class SuiteRunDetail(APIView):
    @extend_schema(responses=SuiteRunSerializer, summary="A suite run, its checks and verdicts")
    def get(self, request, run_id):
        run = get_run_for_user(request.user, uuid_or_404(run_id))
        if runs.finish_if_done(run.pk):
            run.refresh_from_db()
        return Response(run.to_dict())
