"""`--reload`: code changes reach new requests; warm instances of the old code retire."""

from tests.fclocal.helpers import invoke, poll
from tests.fclocal.test_config import FUNCTION, write
from tests.fixtures.waiting import wait_until


def wait_for_body(server, expected: bytes, wait: float = 20) -> bytes:
    return poll(lambda: invoke(server, "fn", b"", service="svc").content, lambda body: body == expected, wait)


def test_it_picks_up_code_changes(tmp_path, fclocal_factory):
    config = write(tmp_path, FUNCTION)
    code = tmp_path / "code" / "index.py"
    code.write_text("def handler(event, context):\n    return 'old'\n")
    server = fclocal_factory(config, reload=True)
    before = invoke(server, "fn", b"", service="svc")
    assert before.content == b"old"

    code.write_text("def handler(event, context):\n    return 'new'\n")

    assert wait_for_body(server, b"new") == b"new"
    after = invoke(server, "fn", b"", service="svc")
    assert after.headers["X-Fc-Instance-Id"] != before.headers["X-Fc-Instance-Id"]
    assert after.headers["X-Fc-Code-Checksum"] != before.headers["X-Fc-Code-Checksum"]


def test_a_broken_project_file_keeps_the_running_project(tmp_path, fclocal_factory):
    config = write(tmp_path, FUNCTION)
    server = fclocal_factory(config, reload=True)
    config.write_text(FUNCTION.replace("python3.9", "cobol"))
    wait_until(lambda: "not reloaded" in server.log(), seconds=20, what="fclocal refusing the broken file")

    assert "fclocal: not reloaded: " in server.log()
    assert "services.one.props.function.runtime" in server.log()
    assert invoke(server, "fn", b"still", service="svc").content == b"still"
