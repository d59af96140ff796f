"""FCClient construction: endpoints, account id, timeouts, argument checks (no network)."""

from __future__ import annotations

import pytest

from invocations.fc.client import FCClient, read_timeout


def test_endpoint_for_public_and_internal():
    assert FCClient.endpoint_for("1234567890123456", "cn-hangzhou") == (
        "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com"
    )
    assert FCClient.endpoint_for("1234567890123456", "cn-hangzhou", internal=True) == (
        "https://1234567890123456.cn-hangzhou-internal.fc.aliyuncs.com"
    )


def test_the_account_id_comes_from_the_host_of_a_real_endpoint():
    client = FCClient("https://1234567890123456.cn-hangzhou.fc.aliyuncs.com/", "ak", "sk")
    assert client.endpoint == "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com"
    assert client.account_id == "1234567890123456"


def test_an_override_endpoint_takes_the_account_id_given():
    assert FCClient("http://127.0.0.1:9000", "ak", "sk").account_id is None
    assert FCClient("http://127.0.0.1:9000", "ak", "sk", account_id="42").account_id == "42"


def test_an_endpoint_without_scheme_is_https():
    assert (
        FCClient("1.cn-beijing.fc.aliyuncs.com", "ak", "sk").endpoint
        == "https://1.cn-beijing.fc.aliyuncs.com"
    )


@pytest.mark.parametrize("endpoint", ["", "ftp://host", "http://", "http://host/path", "http://host?x=1"])
def test_it_rejects_unusable_endpoints(endpoint):
    with pytest.raises(ValueError):
        FCClient(endpoint, "ak", "sk")


def test_it_requires_a_key_pair():
    with pytest.raises(ValueError):
        FCClient("http://127.0.0.1:9000", "", "sk")
    with pytest.raises(ValueError):
        FCClient("http://127.0.0.1:9000", "ak", "")


def test_the_secret_is_not_in_the_repr():
    assert "sk-secret" not in repr(FCClient("http://127.0.0.1:9000", "ak", "sk-secret", "sts-token"))


def test_read_timeout_follows_s_invoke():
    assert read_timeout(30) == 30.0  # the caller's timeout wins
    assert read_timeout(None) == 600.0  # s invoke's default


def test_it_rejects_an_unknown_invocation_type_before_sending():
    with pytest.raises(ValueError, match="Sync or Async"):
        FCClient("http://127.0.0.1:1", "ak", "sk").invoke("demo", "hello", invocation_type="Later")
