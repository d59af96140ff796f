"""`manage.py import_access`: Serverless Devs aliases become credential profiles."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from invocations.models import CredentialProfile
from tests.cliapi.cryptojs_writer import cryptojs_encrypt

KEY_ID_VECTOR = "U2FsdGVkX18pxBhZMVdeQ9Z0loi5TljU9x3rkzR1nd2mq4925DoaAEIqV3DdzI/5"  # LTAI5tTestAccessKeyId
ACCOUNT_VECTOR = "U2FsdGVkX18/qltGIgwiSWgsNu/PNBYSVfJvYxCCUlKWeI4uHZZQ/tCOHKbLT1S4"  # 1234567890123456
SECRET = "s3cr3t-AccessKeySecret-value"


def encrypted_alias(secret=SECRET, **extra):
    fields = {
        "__provider": cryptojs_encrypt("Alibaba Cloud"),
        "AccountID": ACCOUNT_VECTOR,
        "AccessKeyID": KEY_ID_VECTOR,
        "AccessKeySecret": cryptojs_encrypt(secret),
        "__default": cryptojs_encrypt("true"),
    }
    fields.update({k: cryptojs_encrypt(v) for k, v in extra.items()})
    return fields


def write(tmp_path, data, name="access.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def run(*args):
    out = StringIO()
    try:
        call_command("import_access", *map(str, args), stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.django_db
def test_it_creates_a_profile_from_an_encrypted_alias(tmp_path):
    output, error = run(write(tmp_path, {"default": encrypted_alias()}))

    assert error is None
    assert output == "default: created (LTAI****eyId)\n"
    profile = CredentialProfile.objects.get(name="default")
    assert profile.account_id == "1234567890123456"
    assert profile.access_key_id == "LTAI5tTestAccessKeyId"
    assert profile.access_key_secret() == SECRET
    assert SECRET not in profile.access_key_secret_encrypted
    assert not profile.is_sts


@pytest.mark.django_db
def test_it_accepts_plain_values_and_sts_tokens(tmp_path):
    path = write(
        tmp_path,
        {
            "sts": {
                "AccountID": 1234567890123456,
                "AccessKeyID": "STS.plainKeyId",
                "AccessKeySecret": " plain-secret ",
                "SecurityToken": "token-value",
            }
        },
    )

    output, error = run(path)

    assert error is None and output.startswith("sts: created")
    profile = CredentialProfile.objects.get(name="sts")
    assert (profile.account_id, profile.access_key_id) == ("1234567890123456", "STS.plainKeyId")
    assert profile.access_key_secret() == "plain-secret"
    assert profile.security_token() == "token-value"


@pytest.mark.django_db
def test_it_updates_a_profile_and_drops_a_token_the_file_no_longer_has(tmp_path):
    run(write(tmp_path, {"prod": encrypted_alias(SecurityToken="old-token")}))

    output, error = run(write(tmp_path, {"prod": encrypted_alias(secret="rotated-secret")}))

    assert error is None and output.startswith("prod: updated")
    profile = CredentialProfile.objects.get(name="prod")
    assert profile.access_key_secret() == "rotated-secret"
    assert profile.security_token() is None


@pytest.mark.django_db
def test_it_reports_an_alias_that_did_not_change(tmp_path):
    path = write(tmp_path, {"default": encrypted_alias()})
    run(path)

    output, error = run(path)

    assert error is None and output.startswith("default: unchanged")


@pytest.mark.django_db
def test_it_skips_aliases_of_other_clouds(tmp_path):
    aws = {"__provider": cryptojs_encrypt("AWS"), "AccessKeyID": "AKIA", "SecretAccessKey": "x"}
    tencent = {"AccountID": "1", "SecretID": "a", "SecretKey": "b"}

    output, error = run(write(tmp_path, {"aws": aws, "tencent": tencent}))

    assert error is None
    assert output.splitlines() == [
        "aws: skipped (provider is 'AWS', not Alibaba Cloud)",
        "tencent: skipped (no AccessKeySecret: not an Alibaba Cloud key)",
    ]
    assert not CredentialProfile.objects.exists()


@pytest.mark.django_db
def test_it_rejects_bad_aliases_with_the_reason_and_still_imports_the_good_ones(tmp_path):
    aliases = {
        "no-account": {"AccessKeyID": "LTAIx", "AccessKeySecret": "x"},
        "empty-secret": {"AccountID": "1", "AccessKeyID": "LTAIx", "AccessKeySecret": ""},
        "not-a-mapping": "just a string",
        "bad name": {"AccountID": "1", "AccessKeyID": "LTAIx", "AccessKeySecret": "x"},
        "good": encrypted_alias(),
    }

    output, error = run(write(tmp_path, aliases))

    lines = output.splitlines()
    assert lines[0] == "no-account: rejected (AccountID missing or empty)"
    assert lines[1] == "empty-secret: rejected (AccessKeySecret missing or empty)"
    assert lines[2] == "not-a-mapping: rejected (expected a mapping of field names to values)"
    assert lines[3].startswith("bad name: rejected (name: ")
    assert lines[4].startswith("good: created")
    assert error is not None and error.returncode == 1
    assert list(CredentialProfile.objects.values_list("name", flat=True)) == ["good"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("default: [unclosed\n", "not valid YAML at line 2"),
        ("- a\n- list\n", "expected a mapping of alias names to keys"),
    ],
)
def test_it_refuses_a_malformed_file_with_a_usage_error(tmp_path, content, message):
    output, error = run(write(tmp_path, content))

    assert error is not None and error.returncode == 64
    assert message in str(error)


@pytest.mark.django_db
def test_it_refuses_a_missing_file(tmp_path):
    _, error = run(tmp_path / "nope.yaml")

    assert error.returncode == 64 and "no such file" in str(error)


@pytest.mark.django_db
def test_an_empty_file_imports_nothing(tmp_path):
    output, error = run(write(tmp_path, ""))

    assert error is None and output.endswith("no aliases\n")


@pytest.mark.django_db
def test_it_reads_the_serverless_devs_home_by_default(tmp_path, monkeypatch):
    write(tmp_path, {"from-home": encrypted_alias()}, name="access.yml")
    monkeypatch.setenv("serverless_devs_config_home", str(tmp_path))

    output, error = run()

    assert error is None and output.startswith("from-home: created")


@pytest.mark.django_db
def test_no_secret_reaches_the_output(tmp_path):
    output, _ = run(
        write(tmp_path, {"a": encrypted_alias(SecurityToken="tok-123"), "b": {"AccessKeySecret": "x"}})
    )

    assert SECRET not in output and "tok-123" not in output


@pytest.mark.django_db
def test_an_endpoint_outside_the_allowed_hosts_is_rejected(tmp_path):
    local = encrypted_alias(endpoint="http://127.0.0.1:9000")
    elsewhere = encrypted_alias(endpoint="http://collector.example.com")

    output, error = run(write(tmp_path, {"local": local, "elsewhere": elsewhere}))

    lines = output.splitlines()
    assert lines[0].startswith("local: created")
    assert lines[1].startswith(
        "elsewhere: rejected (endpoint: collector.example.com is not an allowed FC endpoint host"
    )
    assert CredentialProfile.objects.get(name="local").endpoint == "http://127.0.0.1:9000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("alias", "fields", "reason"),
    [
        (
            "default\n",
            {"AccountID": "1234567890123456", "AccessKeyID": "LTAIkey", "AccessKeySecret": "x"},
            "'default\\n': rejected (name: Use letters, digits",
        ),
        (
            "listed",
            {"AccountID": [1, 2], "AccessKeyID": "LTAIkey", "AccessKeySecret": "x"},
            "listed: rejected (AccountID: expected text, found a list)",
        ),
        (
            "mapped",
            {"AccountID": "1234567890123456", "AccessKeyID": {"a": 1}, "AccessKeySecret": "x"},
            "mapped: rejected (AccessKeyID: expected text, found a mapping)",
        ),
        (
            "garbled",
            {
                "AccountID": "1234567890123456",
                "AccessKeyID": "LTAIkey",
                # A CryptoJS value whose ciphertext was cut: it does not decrypt.
                "AccessKeySecret": cryptojs_encrypt("the-real-secret-value")[:-8] + "AAAAAAA=",
            },
            "garbled: rejected (AccessKeySecret: encrypted the way `s config add` writes values, but it "
            "does not decrypt",
        ),
        (
            "letters",
            {"AccountID": "12345x", "AccessKeyID": "LTAIkey", "AccessKeySecret": "x"},
            "letters: rejected (account_id: An Alibaba Cloud account ID is digits only",
        ),
    ],
)
def test_it_refuses_what_the_profile_form_refuses_and_writes_nothing(tmp_path, alias, fields, reason):
    output, error = run(write(tmp_path, {alias: fields}))

    assert output.startswith(reason), output
    assert error is not None and error.returncode == 1
    assert not CredentialProfile.objects.exists()


@pytest.mark.django_db
def test_a_refused_update_leaves_the_profile_as_it_was(tmp_path):
    run(write(tmp_path, {"default": encrypted_alias()}))
    before = CredentialProfile.objects.values().get()

    output, error = run(write(tmp_path, {"default": {**encrypted_alias(), "AccountID": ["1"]}}))

    assert output == "default: rejected (AccountID: expected text, found a list)\n"
    assert error.returncode == 1
    assert CredentialProfile.objects.values().get() == before
