"""preserve-function: freeze what a Lambda function is and was, before anyone redeploys it.

Publishes a version of `$LATEST` (so the code running now gets an immutable version number),
downloads the code of every version and of its layers, and saves configuration, resource policy,
event source mappings, aliases and URL configs. Optionally sets reserved concurrency to 0, which
stops new invocations without deleting or changing the code.
"""

from __future__ import annotations

import tempfile
from typing import Any

import botocore.exceptions

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.cloudwatch_export import as_jsonl, filter_events
from responders.aws.session import error_code, is_api_gap
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step


def _versions(case: AwsCase, name: str) -> list[dict[str, Any]]:
    pages = case.clients.lambda_.get_paginator("list_versions_by_function").paginate(
        FunctionName=name
    )
    return [dict(v) for page in pages for v in page["Versions"]]


def _optional(call: Any, *, missing: str = "ResourceNotFoundException", **params: Any) -> Any:
    try:
        return call(**params)
    except botocore.exceptions.ClientError as error:
        if error_code(error) == missing or is_api_gap(error):
            return None
        raise


def _save_download(case: AwsCase, step: Step, name: str, url: str, what: str) -> None:
    if case.dry_run:
        step.planned_artifact(name)
        return
    store = case.require_store()
    with tempfile.TemporaryFile() as spool:
        try:
            case.clients.fetch(url, spool)
        except (OSError, ValueError) as error:
            step.warn(f"{what}: code location not downloadable ({error})")
            return
        spool.seek(0)
        key = store.artifact_key(case.case_id, step.target, step.action, name)
        step.artifacts.append(store.put_stream(key, spool, what))


def _publish_latest(case: AwsCase, name: str, versions: list[dict[str, Any]], step: Step) -> bool:
    latest = next(v for v in versions if v["Version"] == "$LATEST")
    published = [v for v in versions if v["Version"] != "$LATEST"]
    if published and published[-1].get("CodeSha256") == latest.get("CodeSha256"):
        step.state["preserved_version"] = published[-1]["Version"]
        return False
    result = step.change(
        "lambda",
        case.clients.lambda_,
        "publish_version",
        FunctionName=name,
        CodeSha256=latest["CodeSha256"],
        Description=f"prewire case {case.case_id}: $LATEST preserved",
    )
    if result:
        step.state["preserved_version"] = result["Version"]
        step.note(f"published $LATEST as version {result['Version']}")
    return True


@action(
    Cloud.AWS,
    "preserve-function",
    summary="Publish $LATEST, keep code of every version and layer, configuration and triggers",
    target_kind="function",
    permissions=perms("lambda:ListEventSourceMappings", "lambda:GetLayerVersion")
    + perms(
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:ListVersionsByFunction",
        "lambda:PublishVersion",
        "lambda:GetPolicy",
        "lambda:ListAliases",
        "lambda:ListFunctionUrlConfigs",
        "lambda:GetFunctionConcurrency",
        "lambda:PutFunctionConcurrency",
        "logs:FilterLogEvents",
        scope=Scope.ACCOUNT_RESOURCES,
    ),
    destructive=False,
    produces=(EvidenceSource.LAMBDA_VERSIONS, EvidenceSource.LAMBDA_LOGS),
)
def preserve_function(case: AwsCase, target: str, step: Step) -> Status:
    fn = case.clients.lambda_
    changed = _publish_latest(case, target, _versions(case, target), step)
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"code and configuration already collected at {earlier}")
    else:
        _collect(case, target, step)
    if case.options.contain_function:
        current = _optional(fn.get_function_concurrency, FunctionName=target) or {}
        if current.get("ReservedConcurrentExecutions") != 0:
            step.state["previous_reserved_concurrency"] = current.get(
                "ReservedConcurrentExecutions"
            )
            step.change(
                "lambda",
                fn,
                "put_function_concurrency",
                FunctionName=target,
                ReservedConcurrentExecutions=0,
            )
            step.note("reserved concurrency set to 0: no new invocations")
            step.state["contained"] = True
            changed = True
    if not earlier:
        return Status.COLLECTED
    return Status.CHANGED if changed else Status.UNCHANGED


def _collect(case: AwsCase, target: str, step: Step) -> None:
    fn = case.clients.lambda_
    versions = _versions(case, target)
    code_by_sha: dict[str, str] = {}
    layers: dict[str, dict[str, Any]] = {}
    for version in versions:
        qualifier = version["Version"]
        detail = fn.get_function(FunctionName=target, Qualifier=qualifier)
        case.save_json(step, f"versions/{qualifier}/function.json", detail, "GetFunction")
        sha = str(version.get("CodeSha256", ""))
        location = detail.get("Code", {}).get("Location")
        if location and sha not in code_by_sha:
            code_by_sha[sha] = qualifier
            _save_download(
                case,
                step,
                f"code/{sha.replace('/', '_')}.zip",
                location,
                f"code of version {qualifier}",
            )
        for layer in version.get("Layers", []):
            layers[layer["Arn"]] = layer
    for arn in sorted(layers):
        content = _optional(fn.get_layer_version_by_arn, Arn=arn)
        location = (content or {}).get("Content", {}).get("Location")
        if location:
            _save_download(
                case, step, f"layers/{arn.split(':layer:')[-1]}.zip", location, f"layer {arn}"
            )
    case.save_json(step, "code-index.json", code_by_sha, "CodeSha256 -> first version")
    case.save_json(step, "policy.json", _optional(fn.get_policy, FunctionName=target))
    mappings = _optional(fn.list_event_source_mappings, FunctionName=target) or {}
    case.save_json(step, "event-source-mappings.json", mappings.get("EventSourceMappings", []))
    aliases = _optional(fn.list_aliases, FunctionName=target) or {}
    case.save_json(step, "aliases.json", aliases.get("Aliases", []))
    urls = _optional(fn.list_function_url_configs, FunctionName=target) or {}
    case.save_json(step, "url-configs.json", urls.get("FunctionUrlConfigs", []))
    group = f"/aws/lambda/{target}"
    events = filter_events(case, group)
    if events is None:
        step.warn(f"log group {group} does not exist: the function's output was never kept")
    else:
        case.save(step, "logs.jsonl", as_jsonl(events), f"{group} for the case window")
    step.note(
        f"kept {len(versions)} version(s), {len(code_by_sha)} distinct code package(s), "
        f"{len(layers)} layer(s)"
    )
