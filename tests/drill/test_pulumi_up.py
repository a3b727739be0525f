"""`prewire drill --provision pulumi`, up to the Pulumi CLI boundary.

The Pulumi CLI cannot be installed on the machines this kit is built on, so `pulumi up` itself
never runs in these tests; what it would be given is checked against the installed pulumi-aws
and the kit's own settings parser, and the missing-CLI path is exercised for real.
"""

from __future__ import annotations

import inspect

import pulumi_aws
import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.core.graph import Graph, Resource
from prewire.drill.aws.environment import stack_graph
from prewire.drill.aws.pulumi_up import endpoint_keys, pulumi_up, stack_config
from responders.runtime import InputError
from stacks import settings

ENDPOINT = "http://127.0.0.1:5999"


def test_every_module_the_stack_calls_is_pointed_at_the_emulator() -> None:
    graph = stack_graph("us-east-1")
    keys = endpoint_keys(graph)
    accepted = set(inspect.signature(pulumi_aws._inputs.ProviderEndpointArgs.__init__).parameters)
    # pulumi-aws spells the Python keyword `lambda` as `lambda_`; the config key is `lambda`.
    assert [k for k in keys if k.replace("lambda", "lambda_") not in accepted] == []
    config = stack_config("us-east-1", ENDPOINT, ["vpc-1", "vpc-2"], graph)
    assert config["aws:endpoints"] == [dict.fromkeys(keys, ENDPOINT)]
    assert {"s3", "iam", "sts", "events", "lambda"} <= set(keys)


def test_a_module_without_an_endpoint_is_refused_rather_than_sent_to_aws() -> None:
    graph = Graph([Resource(urn="urn:x", type="aws:rds/instance:Instance", name="db", inputs={})])
    with pytest.raises(InputError, match="rds"):
        endpoint_keys(graph)


def test_the_drill_stack_config_is_valid_for_the_kits_program() -> None:
    config = stack_config(
        "us-east-1", ENDPOINT, ["vpc-0a1b2c3d", "vpc-0e4f5a6b"], stack_graph("us-east-1")
    )
    prewire = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("prewire:")}
    parsed = settings.parse(prewire).aws
    assert parsed is not None
    assert parsed.vpc_ids == ("vpc-0a1b2c3d", "vpc-0e4f5a6b")


def test_without_the_pulumi_cli_it_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(InputError, match="Pulumi CLI"):
        pulumi_up("us-east-1", ENDPOINT, [], stack_graph("us-east-1"), print)
    result = CliRunner().invoke(
        app, ["drill", "--provision", "pulumi"], env={"PATH": "/nonexistent"}
    )
    assert result.exit_code == 2
    assert "needs the Pulumi CLI" in result.output
