"""FC 3.0: a no-op sync invoke through our FCClient (a 3.0 `Target`) vs the same call through the
official `alibabacloud-fc20230330` SDK.

Both hit the same fclocal serving examples/fc3/s.yaml at /2023-03-30/, in the same run, interleaved
(so drift hits both alike), with the log tail requested and the body read to the end. p50/p99 per
client; the ratio is the SDK over FCClient (below 1: the SDK is faster). Samples:
BENCH_SDK_SAMPLES per client after a tenth as many warm-up calls.

    .venv/bin/python -m bench invoker3_vs_sdk
"""

from __future__ import annotations

from bench.common import ROOT, Row, interleaved_samples, percentile, sample_note
from fclocal.keys import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET

TITLE = "our FCClient vs alibabacloud-fc20230330, FC 3.0 no-op sync invoke on the same fclocal"
FC3_CONFIG = ROOT / "examples" / "fc3" / "s.yaml"
NOOP = "noop"
SDK = "alibabacloud-fc20230330"
OURS = "fcconsole FCClient"


def direct_client(fclocal_url: str):
    from invocations.fc.client import FCClient
    from invocations.fc.targets import Target

    client = FCClient(fclocal_url, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)
    target = Target("cn-hangzhou", NOOP)
    return client, lambda: client.invoke(target, b"").body


def sdk_client(fclocal_url: str):
    """The official 3.0 SDK over plain HTTP to fclocal, asking for the log tail like our client."""
    from alibabacloud_fc20230330 import models
    from alibabacloud_fc20230330.client import Client
    from alibabacloud_tea_openapi.utils_models import Config
    from darabonba.runtime import RuntimeOptions

    endpoint = fclocal_url.split("://", 1)[1]
    client = Client(
        Config(
            access_key_id=DEMO_ACCESS_KEY_ID,
            access_key_secret=DEMO_ACCESS_KEY_SECRET,
            endpoint=endpoint,
            protocol="http",
            region_id="cn-hangzhou",
        )
    )
    headers = models.InvokeFunctionHeaders(x_fc_invocation_type="Sync", x_fc_log_type="Tail")
    runtime = RuntimeOptions()

    def call():
        response = client.invoke_function_with_options(
            NOOP, models.InvokeFunctionRequest(body=b""), headers, runtime
        )
        return response.body.read() if response.body is not None else b""

    return call


def measure(url: str, samples: int, warmup: int) -> dict[str, list[float]]:
    ours_client, ours = direct_client(url)
    calls = {OURS: ours, SDK: sdk_client(url)}
    timings = interleaved_samples(calls, samples, warmup)
    ours_client.close()
    return timings


def run(ctx) -> list[Row]:
    samples = ctx.scale("SDK_SAMPLES", 1000)
    warmup = max(1, samples // 10)
    fclocal = ctx.fclocal(FC3_CONFIG)
    timings = measure(fclocal.url, samples, warmup)
    ours, sdk = timings[OURS], timings[SDK]
    note = (
        f"function {NOOP} (FC 3.0), log tail on both; {sample_note(samples, warmup)} per client, interleaved"
    )
    return [
        Row(
            "invoker3_vs_sdk",
            f"{SDK} p{p}",
            percentile(sdk, p),
            "ms",
            baseline=f"FCClient p{p}",
            baseline_value=percentile(ours, p),
            note=note,
        )
        for p in (50, 99)
    ]
