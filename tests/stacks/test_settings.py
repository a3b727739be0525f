"""Stack configuration: valid example, and bad config failing with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from prewire.render import ProgramError, render
from stacks import settings

ROOT = Path(__file__).resolve().parents[2]


def raw(example: dict[str, str], **changes: str | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        k.split(":", 1)[1]: v for k, v in example.items() if k.startswith("prewire:")
    }
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return values


def test_example_config_parses(example_aws_config: dict[str, str]) -> None:
    parsed = settings.parse(raw(example_aws_config))
    assert parsed.retention_days == 365
    assert parsed.aws is not None
    assert parsed.aws.vpc_ids == ("vpc-0a1b2c3d4e5f60718", "vpc-0f1e2d3c4b5a69788")
    assert parsed.aws.isolation_ssm_endpoint_groups == {
        "vpc-0a1b2c3d4e5f60718": "sg-0123456789abcdef0"
    }
    assert parsed.aws.forensic_account_id == "444455556666"
    assert (
        parsed.aws.memory_tool is not None
        and parsed.aws.memory_tool.bucket == "example-forensic-tools"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"retentionDays": "0"}, "prewire:retentionDays: must be between 1 and 36500, got 0"),
        ({"clouds": '["aws", "oracle"]'}, "unknown cloud 'oracle'"),
        ({"aws__vpcIds": '["vpc-12"]'}, "malformed: 'vpc-12'"),
        ({"breakGlassPrincipals": "[]"}, "at least one IAM user or role ARN"),
        ({"breakGlassPrincipals": '["arn:aws:iam::1:role/x"]'}, "malformed"),
        ({"alertEmail": "not-an-email"}, "expected an email address"),
        ({"aws__autoContain": "yes"}, "expected true or false"),
        ({"aws__memoryToolSha256": None}, "set together with prewire:aws.memoryToolSha256"),
        (
            {"aws__isolationSsmEndpointGroups": '["vpc-0123456789abcdef0=sg-0123456789abcdef0"]'},
            "is not in prewire:aws.vpcIds",
        ),
        ({"retentionDay": "30"}, "unknown keys: prewire:retentionDay"),
        ({"clouds": '["gcp"]'}, "prewire:gcp.project: required"),
        ({"clouds": '["aws", "azure"]'}, "prewire:azure.subscriptionId: required"),
    ],
)
def test_bad_config_is_rejected_with_a_clear_message(
    example_aws_config: dict[str, str], changes: dict[str, str | None], message: str
) -> None:
    with pytest.raises(settings.SettingsError) as raised:
        settings.parse(raw(example_aws_config, **changes))
    assert message in str(raised.value)


def test_all_problems_are_reported_at_once(example_aws_config: dict[str, str]) -> None:
    with pytest.raises(settings.SettingsError) as raised:
        settings.parse(raw(example_aws_config, retentionDays="0", alertEmail="nobody"))
    assert len(raised.value.problems) == 2


def test_log_retention_rounds_up_to_a_value_cloudwatch_accepts(
    example_aws_config: dict[str, str],
) -> None:
    assert settings.parse(raw(example_aws_config, retentionDays="100")).log_retention_days == 120


def test_whole_program_refuses_bad_config_before_declaring_anything(
    example_aws_config: dict[str, str],
) -> None:
    config = {
        **example_aws_config,
        "prewire:retentionDays": "0",
        "prewire:aws.vpcIds": '["vpc-bad"]',
    }
    with pytest.raises(ProgramError) as raised:
        render(None, config)
    text = str(raised.value)
    assert "prewire:retentionDays: must be between 1 and 36500" in text
    assert "vpc-bad" in text
    assert "Traceback" not in text


def test_every_config_key_is_documented_in_pulumi_yaml() -> None:
    documented = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert set(documented) == set(settings.CONFIG_KEYS)
    assert all(spec.get("description") for spec in documented.values())


def test_project_defaults_parse_into_valid_settings() -> None:
    documented = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    import json

    defaults = {
        key: spec["default"] if isinstance(spec["default"], str) else json.dumps(spec["default"])
        for key, spec in documented.items()
        if "default" in spec
    }
    defaults["breakGlassPrincipals"] = '["arn:aws:iam::111122223333:role/Ops"]'
    parsed = settings.parse(defaults)
    assert parsed.aws is not None and parsed.aws.vpc_ids == ()
    assert parsed.alert_email is None
