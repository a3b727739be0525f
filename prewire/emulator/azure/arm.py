"""The Resource Manager half of the fake: resources kept as the JSON ARM returns, generic
GET/PUT/DELETE/list by id, long-running operations, and the few actions and special lists
prewire calls. Response shapes follow Azure's public REST API specs (azure-rest-api-specs), so
the official SDK models parse them.

Only what prewire uses is here; anything else answers 501 `NotImplemented` (never a pretend
success), so a responder reports "unsupported on this target".
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from prewire.emulator.azure.filters import activity_filtered, filtered, merge, resource_filtered
from prewire.emulator.azure.paths import ArmPath, parse, resource_group_of
from prewire.emulator.azure.replies import ArmError, Json, Operation, Reply, now_iso

ActionHandler = Callable[["ArmState", ArmPath, Json], Json | None]


@dataclass(frozen=True)
class Action:
    handler: ActionHandler
    long_running: bool = True


PutHook = Callable[["ArmState", str, Json], Json]


PAGE_SIZE = 2  # small pages, so every list a responder makes is paginated here


# Types whose PUT is a long-running operation in Azure's specs.
# Types whose specs have no provisioningState (extension and authorization resources, pricings):
# Azure reports none for them, so neither does the fake.
NO_PROVISIONING_STATE = {
    "microsoft.authorization/roleassignments",
    "microsoft.authorization/roledefinitions",
    "microsoft.authorization/locks",
    "microsoft.authorization/policyassignments",
    "microsoft.security/pricings",
    "microsoft.insights/activitylogalerts",
    "microsoft.insights/diagnosticsettings",
    "microsoft.managedidentity/userassignedidentities",
    "microsoft.insights/actiongroups",
    "microsoft.security/automations",
    "microsoft.storage/storageaccounts/blobservices",
    "microsoft.storage/storageaccounts/blobservices/containers",
    "microsoft.storage/storageaccounts/blobservices/containers/immutabilitypolicies",
    "microsoft.eventhub/namespaces/eventhubs",
    "microsoft.eventhub/namespaces/eventhubs/authorizationrules",
    "microsoft.web/sites",
}


LRO_PUT_TYPES = {
    "microsoft.network/networkinterfaces",
    "microsoft.network/networksecuritygroups",
    "microsoft.compute/snapshots",
    "microsoft.compute/virtualmachines",
    "microsoft.compute/disks",
}


class ArmState:
    """Every resource by lower-cased id, and the operations in flight."""

    def __init__(self, base_url: str, subscription: str, lro_polls: int = 1) -> None:
        self.base_url = base_url
        # Where operation status and results are polled, shaped like Azure's own URLs.
        self.operations_path = (
            f"/subscriptions/{subscription}/providers/Prewire.Fake/locations/local"
        )
        self.lro_polls = lro_polls
        self.resources: dict[str, Json] = {}
        self.operations: dict[str, Operation] = {}
        self.activity_log: list[Json] = []
        self.requests: list[tuple[str, str, Json | None]] = []
        self.marks: dict[str, int] = {}
        self.lock = threading.RLock()
        self.actions: dict[tuple[str, str], Action] = {}
        self.put_hooks: dict[str, PutHook] = {}
        self.delete_guards: dict[str, Callable[[ArmState, str], None]] = {}
        # Tests shape what the caller may do or what Azure offers: paths containing one of
        # these answer 403 AuthorizationFailed, or 501 NotImplemented.
        self.denied: set[str] = set()
        self.unimplemented: set[str] = set()

    # -- the store ------------------------------------------------------------------------
    def mark(self, name: str) -> None:
        """Remember where the request log stands (a drill marks the start of a response)."""
        with self.lock:
            self.marks[name] = len(self.requests)

    def requests_since(self, name: str) -> list[tuple[str, str, Json | None]]:
        with self.lock:
            return list(self.requests[self.marks.get(name, 0) :])

    def get(self, resource_id: str) -> Json | None:
        with self.lock:
            found = self.resources.get(resource_id.lower())
            if found is None and resource_id.lower().endswith("/blobservices/default"):
                found = self._default_blob_service(resource_id)
            return copy.deepcopy(found) if found else None

    def _default_blob_service(self, resource_id: str) -> Json | None:
        """Every storage account has its Blob service, configured or not."""
        account = resource_id[: -len("/blobServices/default")]
        if account.lower() not in self.resources:
            return None
        return {
            "id": resource_id,
            "name": "default",
            "type": "Microsoft.Storage/storageAccounts/blobServices",
            "properties": {"deleteRetentionPolicy": {"enabled": False}},
        }

    def require(self, resource_id: str) -> Json:
        found = self.get(resource_id)
        if found is None:
            kind = "ResourceGroupNotFound" if resource_id.count("/") == 4 else "ResourceNotFound"
            raise ArmError(404, kind, f"The Resource '{resource_id}' was not found.")
        return found

    def put(self, resource: Json) -> Json:
        with self.lock:
            self.resources[resource["id"].lower()] = copy.deepcopy(resource)
        return resource

    def delete(self, resource_id: str) -> bool:
        with self.lock:
            gone = self.resources.pop(resource_id.lower(), None)
            for key in [k for k in self.resources if k.startswith(resource_id.lower() + "/")]:
                del self.resources[key]
        return gone is not None

    def of_type(self, arm_type: str, under: str = "") -> list[Json]:
        with self.lock:
            return [
                copy.deepcopy(r)
                for key, r in sorted(self.resources.items())
                if r.get("type", "").lower() == arm_type.lower() and key.startswith(under.lower())
            ]

    def record_activity(self, operation: str, resource_id: str, caller: str, status: str) -> None:
        """What Azure's Activity Log would show for a write (for collect-logs to find)."""
        self.activity_log.append(
            {
                "eventDataId": str(uuid.uuid4()),
                "correlationId": str(uuid.uuid4()),
                "eventTimestamp": now_iso(),
                "submissionTimestamp": now_iso(),
                "operationName": {"value": operation, "localizedValue": operation},
                "category": {"value": "Administrative", "localizedValue": "Administrative"},
                "status": {"value": status, "localizedValue": status},
                "level": "Informational",
                "caller": caller,
                "resourceId": resource_id,
                "resourceGroupName": resource_group_of(resource_id),
                "subscriptionId": resource_id.split("/")[2] if resource_id.count("/") > 2 else "",
            }
        )

    # -- long-running operations ----------------------------------------------------------
    def start_operation(self, result: Json | None = None, error: ArmError | None = None) -> str:
        operation_id = uuid.uuid4().hex
        with self.lock:
            self.operations[operation_id] = Operation(self.lro_polls, result, error)
        return operation_id

    def poll(self, operation_id: str) -> Reply:
        with self.lock:
            operation = self.operations.get(operation_id)
            if operation is None:
                raise ArmError(404, "OperationNotFound", operation_id)
            if operation.polls_left > 0:
                operation.polls_left -= 1
                return Reply(200, {"status": "InProgress"})
        if operation.error:
            return Reply(200, {"status": "Failed", "error": operation.error.body()["error"]})
        return Reply(200, {"status": "Succeeded", "startTime": now_iso(), "endTime": now_iso()})

    def outcome(self, operation_id: str) -> Reply:
        with self.lock:
            operation = self.operations.get(operation_id)
        if operation is None:
            raise ArmError(404, "OperationNotFound", operation_id)
        if operation.polls_left > 0:
            return Reply(202, None, self._lro_headers(operation_id))
        if operation.error:
            raise operation.error
        return Reply(200, operation.result)

    def _lro_headers(self, operation_id: str) -> dict[str, str]:
        return {
            "Azure-AsyncOperation": (
                f"{self.base_url}{self.operations_path}/operations/{operation_id}?api-version=1"
            ),
            "Location": (
                f"{self.base_url}{self.operations_path}/operationResults/{operation_id}"
                "?api-version=1"
            ),
        }

    # -- dispatch -------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, str], body: Json | None) -> Reply:
        path = unquote(path)
        with self.lock:
            self.requests.append((method, path, body))
        lowered = path.lower()
        if any(part.lower() in lowered for part in self.denied):
            raise ArmError(403, "AuthorizationFailed", f"the client may not {method} {path}")
        if any(part.lower() in lowered for part in self.unimplemented):
            raise ArmError(501, "NotImplemented", f"the fake does not implement {path}")
        if path.startswith(self.operations_path + "/operations/"):
            return self.poll(path.rsplit("/", 1)[1])
        if path.startswith(self.operations_path + "/operationResults/"):
            return self.outcome(path.rsplit("/", 1)[1])
        special = self._special(method, path, query)
        if special is not None:
            return special
        arm = parse(path, method)
        if arm is None:
            return self._scope_resource(method, path, body)
        if arm.type.lower() == "microsoft.resources/tags" and method in ("PUT", "PATCH"):
            return self._tags(arm, body or {}, replace=method == "PUT")
        if arm.action:
            return self._action(arm, body or {})
        if arm.is_collection:
            return self._list(arm, query, path)
        if method == "GET":
            return Reply(200, self.require(arm.resource_id))
        if method in ("PUT", "PATCH"):
            return self._put(arm, body or {}, patch=method == "PATCH")
        if method == "DELETE":
            guard = self.delete_guards.get(arm.type.lower())
            if guard:
                guard(self, arm.resource_id)
            existing = self.get(arm.resource_id)
            if existing is None:
                return Reply(204)
            self.delete(arm.resource_id)
            return Reply(200, existing)
        raise ArmError(405, "MethodNotAllowed", f"{method} {path}")

    def _scope_resource(self, method: str, path: str, body: Json | None) -> Reply:
        """Subscriptions and resource groups (no provider segment)."""
        if method == "GET":
            return Reply(200, self.require(path))
        if method == "PUT" and "/resourcegroups/" in path.lower():
            group = {
                "id": path,
                "name": path.rsplit("/", 1)[1],
                "type": "Microsoft.Resources/resourceGroups",
                "location": (body or {}).get("location", "westeurope"),
                "tags": (body or {}).get("tags", {}),
                "properties": {"provisioningState": "Succeeded"},
            }
            return Reply(201, self.put(group))
        raise ArmError(501, "NotImplemented", f"the fake does not implement {method} {path}")

    def _put(self, arm: ArmPath, body: Json, *, patch: bool) -> Reply:
        resource_id = arm.resource_id
        self._require_parent(arm)
        existing = self.get(resource_id)
        if patch:
            if existing is None:
                raise ArmError(404, "ResourceNotFound", resource_id)
            merged = merge(existing, body)
        else:
            merged = {**(existing or {}), **body}
        resource = {
            **merged,
            "id": existing["id"] if existing else resource_id,
            "name": "/".join(arm.names) if len(arm.names) == 1 else arm.names[-1],
            "type": arm.type,
        }
        resource.setdefault("properties", {})
        hook = self.put_hooks.get(arm.type.lower())
        if hook:
            resource = hook(self, resource_id, resource)
        if arm.type.lower() not in NO_PROVISIONING_STATE:
            resource["properties"]["provisioningState"] = "Succeeded"
        self.put(resource)
        status = 200 if existing else 201
        if arm.namespace.lower() == "microsoft.compute":
            status = 200  # Compute's specs answer a create with 200 (or 202), never 201
        if arm.type.lower() in LRO_PUT_TYPES:
            operation_id = self.start_operation(resource)
            headers = self._lro_headers(operation_id)
            del headers["Location"]  # PUTs end with a GET of the resource itself
            updating = copy.deepcopy(resource)
            if "provisioningState" in updating["properties"]:
                updating["properties"]["provisioningState"] = "Updating"
            return Reply(status, updating, headers)
        return Reply(status, resource)

    def _tags(self, arm: ArmPath, body: Json, *, replace: bool) -> Reply:
        """The Tags API on a scope: Merge (PATCH), Replace or Delete, or PUT a full set."""
        target = self.require(arm.scope)
        wanted = (body.get("properties") or {}).get("tags") or {}
        operation = "Replace" if replace else str(body.get("operation", "Merge"))
        current = dict(target.get("tags") or {})
        if operation == "Merge":
            current.update(wanted)
        elif operation == "Replace":
            current = dict(wanted)
        elif operation == "Delete":
            current = {k: v for k, v in current.items() if k not in wanted}
        else:
            raise ArmError(400, "InvalidOperation", operation)
        target["tags"] = current
        self.put(target)
        return Reply(
            200,
            {
                "id": f"{arm.scope}/providers/Microsoft.Resources/tags/default",
                "name": "default",
                "type": "Microsoft.Resources/tags",
                "properties": {"tags": current},
            },
        )

    def _require_parent(self, arm: ArmPath) -> None:
        """ARM refuses a child whose parent, or an extension whose scope, does not exist."""
        if len(arm.names) > 1:
            parent = arm.resource_id.rsplit("/", 2)[0]
            if self.get(parent) is None:
                raise ArmError(404, "ParentResourceNotFound", f"{parent} does not exist")
        elif "/resourcegroups/" in arm.scope.lower() and self.get(arm.scope) is None:
            kind = "ResourceGroupNotFound" if arm.scope.count("/") == 4 else "ResourceNotFound"
            raise ArmError(404, kind, f"{arm.scope} does not exist")

    def _action(self, arm: ArmPath, body: Json) -> Reply:
        assert arm.action is not None
        action = self.actions.get((arm.type.lower(), arm.action.lower()))
        if action is None:
            raise ArmError(501, "NotImplemented", f"the fake does not implement {arm.action}")
        self.require(arm.resource_id)
        if not action.long_running:
            return Reply(200, action.handler(self, arm, body))
        try:
            result = action.handler(self, arm, body)
            operation_id = self.start_operation(result)
        except ArmError as error:
            operation_id = self.start_operation(error=error)
        return Reply(202, None, self._lro_headers(operation_id))

    def _list(self, arm: ArmPath, query: dict[str, str], path: str) -> Reply:
        parent = arm.resource_id if arm.names else arm.scope
        if arm.names:
            self.require(parent)
        members = self.of_type(arm.type, under=parent)
        members = filtered(members, query.get("$filter", ""))
        return self.page(members, query, path)

    def page(self, items: list[Json], query: dict[str, str], path: str) -> Reply:
        start = int(query.get("$skiptoken", "0") or 0)
        chunk = items[start : start + PAGE_SIZE]
        body: Json = {"value": chunk}
        if start + PAGE_SIZE < len(items):
            following = {k: v for k, v in query.items() if k != "$skiptoken"}
            following["$skiptoken"] = str(start + PAGE_SIZE)
            body["nextLink"] = f"{self.base_url}{path}?{urlencode(following)}"
        return Reply(200, body)

    # -- lists that are not plain collections ---------------------------------------------
    def _special(self, method: str, path: str, query: dict[str, str]) -> Reply | None:
        lowered = path.lower().rstrip("/")
        if method != "GET":
            return None
        if lowered.endswith("/providers/microsoft.insights/eventtypes/management/values"):
            return self.page(
                activity_filtered(self.activity_log, query.get("$filter", "")), query, path
            )
        if re.fullmatch(r"/subscriptions/[^/]+(/resourcegroups/[^/]+)?/resources", lowered):
            scope = path.rsplit("/", 1)[0]
            with self.lock:
                # The generic list answers GenericResourceExpanded, which has no etag.
                everything = [
                    {key: copy.deepcopy(value) for key, value in r.items() if key != "etag"}
                    for k, r in sorted(self.resources.items())
                    if k.startswith(scope.lower() + "/") and "/providers/" in k
                ]
            return self.page(resource_filtered(everything, query.get("$filter", "")), query, path)
        return None
