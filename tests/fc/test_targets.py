"""Targets name what a call is aimed at; the registry turns one into a wire format."""

from __future__ import annotations

import dataclasses
import re

import pytest

from invocations.fc import protocols
from invocations.fc.targets import Target


def test_a_target_with_a_service_is_fc_2_0():
    assert Target("cn-hangzhou", "hello", "demo").api_version == "2016-08-15"


def test_a_target_without_a_service_is_fc_3_0():
    assert Target("cn-hangzhou", "hello").api_version == "2023-03-30"


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (Target("cn-hangzhou", "hello"), "hello"),
        (Target("cn-hangzhou", "hello", qualifier="prod"), "hello:prod"),
        (Target("cn-hangzhou", "hello", "demo"), "demo/hello"),
        (Target("cn-hangzhou", "hello", "demo", "3"), "demo/hello:3"),
    ],
)
def test_it_reads_like_s_names_a_function(target, text):
    assert str(target) == text


def test_it_is_frozen_and_hashable():
    target = Target("cn-hangzhou", "hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.function = "other"  # type: ignore[misc]
    assert {target: 1}[Target("cn-hangzhou", "hello")] == 1


def test_it_names_a_function():
    with pytest.raises(ValueError):
        Target("cn-hangzhou", "")


def test_the_registry_picks_one_protocol_per_api_version():
    assert protocols.for_target(Target("r", "f", "s")) is protocols.FC2_PROTOCOL
    assert protocols.for_target(Target("r", "f")) is protocols.FC3_PROTOCOL
    with pytest.raises(ValueError):
        protocols.for_version("2099-01-01")


def test_the_async_id_the_client_generates_is_a_valid_task_id():
    assert protocols.new_async_id() != protocols.new_async_id()
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,127}", protocols.new_async_id())
