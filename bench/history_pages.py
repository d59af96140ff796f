"""History page queries at a million rows: PostgreSQL's execution time for each filter and for a
deep cursor page, read from EXPLAIN ANALYZE of the exact SQL the history view runs.

Needs a scratch PostgreSQL database (it is migrated and filled with generated rows):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcconsole_bench_history \\
        FCCONSOLE_ENV=test .venv/bin/python -m bench.history_pages --rows 1000000
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcconsole.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from invocations.forms.history import PAGE_SIZE, HistoryFilterForm, encode_cursor  # noqa: E402
from invocations.models import CredentialProfile, Invocation  # noqa: E402
from invocations.views.history import ROW_FIELDS  # noqa: E402

SEED = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                       is_active, date_joined)
SELECT '!', false, 'bench-user' || g, '', '', '', false, true, now() FROM generate_series(1, 20) g;
INSERT INTO invocations_membership (user_id, role, created_at, updated_at)
SELECT id, 'invoker', now(), now() FROM auth_user WHERE username LIKE 'bench-user%%';
INSERT INTO invocations_credentialprofile (uuid, name, description, account_id, default_region,
    access_key_id, access_key_secret_encrypted, security_token_encrypted, endpoint, protected,
    all_invokers, created_at, updated_at)
SELECT gen_random_uuid(), 'bench-p' || g, '', '1234567890123456', 'cn-hangzhou', 'LTAIbench0000',
       'x', '', '', false, true, now(), now() FROM generate_series(1, 5) g;
INSERT INTO invocations_invocation (uuid, user_id, profile_id, source, region, service, qualifier,
    function, invocation_type, event, client_timeout, async_invocation_id, state, state_reason,
    celery_task_id, send_attempts, attempts, created_at, http_status, request_id, request_url, log_tail,
    error_type, error_code, error_message, duration_ms, max_memory_used_mb, instance_id,
    code_checksum, resolved_qualifier, async_status)
SELECT gen_random_uuid(),
       (SELECT min(id) FROM auth_user WHERE username LIKE 'bench-user%%') + (g %% 20),
       (SELECT min(id) FROM invocations_credentialprofile WHERE name LIKE 'bench-p%%') + (g %% 5),
       'web', 'cn-hangzhou', 'svc' || (g %% 10), '', 'fn' || (g %% 200),
       CASE WHEN g %% 7 = 0 THEN 'async' ELSE 'sync' END,
       convert_to(repeat('{"k": 1}', 50), 'UTF8'), NULL, '',
       (ARRAY['succeeded','succeeded','succeeded','failed','error','unknown'])[1 + g %% 6], '', '',
       1, 1, now() - (g || ' seconds')::interval, 200, 'req-' || g, '', repeat('log line ', 100),
       '', '', '', g %% 1000, 30, '', '', '', ''
FROM generate_series(1, %s::integer) g;
UPDATE invocations_invocation SET function = 'rare-fn'
WHERE id = (SELECT min(id) FROM invocations_invocation);
"""


def execution_ms(queryset) -> float:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Execution Time"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Invocation.objects.count() < args.rows:
        with connection.cursor() as cursor:
            cursor.execute(SEED % int(args.rows))
            cursor.execute("ANALYZE")
    user = get_user_model().objects.filter(username__startswith="bench-user").order_by("id").first()
    profile = CredentialProfile.objects.filter(name__startswith="bench-p").order_by("id").last()
    deep = Invocation.objects.order_by("-created_at", "-id").only("created_at")[int(args.rows * 0.9)]
    cases = {
        "newest page, no filter": {},
        "function (common)": {"function": "fn7"},
        "function (1 row in all)": {"function": "rare-fn"},
        "service + function": {"service": "svc7", "function": "fn7"},
        "state": {"state": "unknown"},
        "user": {"user": "bench-user3"},
        "profile": {"profile": str(profile.uuid)},
        "async only": {"invocation_type": "async"},
        "request id": {"request_id": f"req-{args.rows // 2}"},
        "cursor at 90% depth": {"cursor": encode_cursor(deep)},
    }
    print(f"{Invocation.objects.count():,} rows; EXPLAIN ANALYZE execution time of the page query")
    for name, data in cases.items():
        form = HistoryFilterForm(data)
        assert form.is_valid(), form.errors
        visible = Invocation.objects.for_user(user).select_related("user", "profile").only(*ROW_FIELDS)
        print(f"  {name:26s} {execution_ms(form.filter(visible)[: PAGE_SIZE + 1]):8.2f} ms")


if __name__ == "__main__":
    main()
