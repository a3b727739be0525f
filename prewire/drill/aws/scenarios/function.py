"""lambda-backdoor: an unpublished change to a function exfiltrates its secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.aws.scenarios.common import AwsRun
from prewire.drill.scenarios import COMMON, Expectation, Scenario, register


def _function_frozen(run: AwsRun) -> str | None:
    fn = run.account.clients.lambda_
    name = run.account.victim.function_name
    versions = [
        v
        for v in fn.list_versions_by_function(FunctionName=name)["Versions"]
        if v["Version"] != "$LATEST"
    ]
    latest = fn.get_function_configuration(FunctionName=name)
    if not any(v["CodeSha256"] == latest["CodeSha256"] for v in versions):
        return "$LATEST was not published as a version"
    concurrency = fn.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    return None if concurrency == 0 else f"reserved concurrency is {concurrency}, not 0"


def _code_kept(run: AwsRun) -> str | None:
    [outcome] = run.outcomes("preserve-function") or [{"artifacts": []}]
    codes = [a for a in outcome["artifacts"] if a["key"].endswith(".zip")]
    expected = len(run.account.victim.function_versions) + 1  # plus the backdoored $LATEST
    return (
        None if len(codes) >= expected else f"{len(codes)} code packages kept, {expected} expected"
    )


def _lambda_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    name = account.victim.function_name
    arn = account.clients.lambda_.get_function_configuration(FunctionName=name)["FunctionArn"]
    return findings.finding(
        "Backdoor:Lambda/C&CActivity.B",
        8.0,
        findings.lambda_resource(name, arn),
        account.clients.region,
        when,
        account.account_id,
    )


register(
    Scenario(
        cloud=Cloud.AWS,
        name="lambda-backdoor",
        summary="An unpublished change to a function exfiltrates its secrets",
        auto_contain=True,
        response="playbook freeze-function",
        finding=_lambda_finding,
        expectations=(
            Expectation(
                "backdoored $LATEST published and invocations stopped",
                _function_frozen,
                "Grant lambda:PublishVersion and lambda:PutFunctionConcurrency.",
            ),
            Expectation(
                "code of every version kept as evidence",
                _code_kept,
                "Grant lambda:GetFunction; GetFunction's code location must be reachable.",
            ),
            *COMMON,
        ),
    )
)
