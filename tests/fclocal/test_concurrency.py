"""1,000 invocations in flight at once: no refused connection, no mixed logs."""

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.fclocal.helpers import FAULTS, invoke

IN_FLIGHT = 1000


def test_it_holds_1000_invocations_in_flight_without_refusing_or_mixing_logs(fclocal_factory, tmp_path):
    # 10 instances x instanceConcurrency 100: every request gets a slot without waiting.
    server = fclocal_factory(FAULTS, max_instances=10)
    arrivals = tmp_path / "arrivals"
    arrivals.mkdir()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(n: int):
        body = json.dumps({"dir": str(arrivals), "n": IN_FLIGHT, "marker": f"m{n:04d}"}).encode()
        try:
            return n, invoke(server, "rendezvous", body, service="faults", timeout=120)
        except Exception as exc:  # noqa: BLE001 - a refused connection must fail the test below
            with lock:
                errors.append(exc)
            raise

    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        futures = [pool.submit(one, n) for n in range(IN_FLIGHT)]
        results = [f.result() for f in futures]

    assert errors == []
    assert len(results) == IN_FLIGHT
    for n, response in results:
        marker = f"m{n:04d}"
        assert response.status_code == 200, response.text
        assert "X-Fc-Error-Type" not in response.headers, response.text
        # every request saw all 1,000 arrive while it was itself still running
        assert response.json() == {"marker": marker, "seen": IN_FLIGHT}
        request_id = response.headers["X-Fc-Request-Id"]
        log = base64.b64decode(response.headers["X-Fc-Log-Result"]).decode()
        lines = log.split("\n")
        assert lines[0] == f"FC Invoke Start RequestId: {request_id}" or "runtime inited" in lines[0]
        user_lines = [line for line in lines if "[INFO]" in line or line.startswith("printed")]
        assert user_lines == [
            f"{user_lines[0].split(' ')[0]} {request_id} [INFO] start {marker}",
            f"printed {marker}",
            f"{user_lines[2].split(' ')[0]} {request_id} [INFO] end {marker}",
        ]
    assert len({r.headers["X-Fc-Instance-Id"] for _, r in results}) == 10
