"""A no-op sync invoke through our FCClient vs the same call through the official `aliyun-fc2`.

Both hit the same fclocal, in the same run, interleaved (so drift hits both alike), with the
log tail requested. p50/p99 per client; the ratio is aliyun-fc2 over FCClient (below 1: the SDK
is faster). Samples: BENCH_SDK_SAMPLES per client after a tenth as many warm-up calls.

    .venv/bin/python -m bench invoker_vs_sdk
"""

from __future__ import annotations

from bench import console
from bench.common import Row, interleaved_samples, percentile, sample_note

TITLE = "our FCClient vs aliyun-fc2, no-op sync invoke on the same fclocal"


def measure(url: str, service: str, function: str, samples: int, warmup: int) -> dict[str, list[float]]:
    ours = console.direct_client(url)
    sdk = console.sdk_client(url)
    calls = {
        "fcconsole FCClient": lambda: ours.invoke(service, function, b""),
        "aliyun-fc2": lambda: sdk(function),
    }
    timings = interleaved_samples(calls, samples, warmup)
    ours.close()
    return timings


def run(ctx) -> list[Row]:
    samples = ctx.scale("SDK_SAMPLES", 1000)
    warmup = max(1, samples // 10)
    fclocal = ctx.fclocal()
    timings = measure(fclocal.url, console.SERVICE, console.NOOP, samples, warmup)
    ours, sdk = timings["fcconsole FCClient"], timings["aliyun-fc2"]
    note = (
        f"function {console.NOOP}, log tail on both; {sample_note(samples, warmup)} per client, interleaved"
    )
    return [
        Row(
            "invoker_vs_sdk",
            f"aliyun-fc2 p{p}",
            percentile(sdk, p),
            "ms",
            baseline=f"FCClient p{p}",
            baseline_value=percentile(ours, p),
            note=note,
        )
        for p in (50, 99)
    ]
