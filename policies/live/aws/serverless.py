"""Lambda versions and the protection of published versions, as deployed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from policies.live.aws.context import AwsLiveContext
from policies.live.aws.identity import role_documents
from policies.live.engine import LiveVerdict, live_check, verdict
from policies.static.aws import identity as identity_rules
from policies.static.engine import as_list, statements


@live_check("AWS-LAMBDA-001")
def lambda_versions(ctx: AwsLiveContext) -> list[LiveVerdict]:
    fn = ctx.clients.lambda_
    result = []
    for page in fn.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            versions = [
                v
                for p in fn.get_paginator("list_versions_by_function").paginate(
                    FunctionName=function["FunctionName"]
                )
                for v in p["Versions"]
                if v["Version"] != "$LATEST"
            ]
            result.append(
                verdict(
                    function["FunctionArn"],
                    None if versions else "only $LATEST exists: no published version",
                )
            )
    return result


@live_check("AWS-LAMBDA-002", account_wide=True)
def no_version_deletion(ctx: AwsLiveContext) -> list[LiveVerdict]:
    automation = {
        "lambda.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "states.amazonaws.com",
    }
    result = []
    for page in ctx.clients.iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            document: Any = role["AssumeRolePolicyDocument"]
            trust = json.loads(unquote(document)) if isinstance(document, str) else dict(document)
            services = {
                str(s)
                for st in statements(trust)
                for s in as_list((st.get("Principal") or {}).get("Service"))
            }
            if not services & automation:
                continue
            deleting = identity_rules.allows(
                role_documents(ctx, role["RoleName"]), "lambda:DeleteFunction"
            )
            result.append(
                verdict(
                    role["Arn"],
                    "automation role may delete function versions" if deleting else None,
                )
            )
    return result
