"""Migrations that move or rename data keep it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_renaming_task_id_keeps_each_rows_celery_message_id(invoker, nowhere_profile):
    executor = MigrationExecutor(connection)
    executor.migrate([("invocations", "0007_drop_polled_at")])
    old = executor.loader.project_state([("invocations", "0007_drop_polled_at")]).apps
    Invocation = old.get_model("invocations", "Invocation")
    row = Invocation.objects.create(
        user_id=invoker.pk, profile_id=nowhere_profile.pk, region="cn-hangzhou", service="demo",
        function="hello", task_id="the-message-id",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    assert (
        new.get_model("invocations", "Invocation").objects.get(pk=row.pk).celery_task_id == "the-message-id"
    )
