"""The read side of the GCP fake that `prewire audit gcp` calls: list operations of the
configuration kinds it judges (sinks, log buckets, flow log configs, networks, subnetworks,
resource policies, notification configs, subscriptions, custom roles, alert policies) and the
project IAM policy (`getIamPolicy`) and the project itself (`projects.get`).

Items are kept per collection path as the APIs return them. Lists are paged (`pageToken`,
`nextPageToken`, the page size taken from `pageSize` or `maxResults`) so callers must follow the
pages; `locations/-` lists every location, as Google's APIs do; Compute's `aggregated/` lists
group the regional collections per scope. The fake holds no other behaviour for these kinds
(no create or delete operations): drills and tests load the items with `add`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from prewire.emulator.gcp.compute import GcpError

Json = dict[str, Any]
LISTED = (
    "sinks|buckets|vpcFlowLogsConfigs|networks|subnetworks|resourcePolicies|"
    "notificationConfigs|subscriptions|roles|alertPolicies"
)
LIST_PATH = re.compile(
    rf"^/(?:v\d|compute/v1)/(?:projects|organizations)/(?P<owner>[^/]+)/(?:.*/)?(?P<kind>{LISTED})$"
)
AGGREGATED = re.compile(
    r"^/compute/v1/projects/(?P<p>[^/]+)/aggregated/(?P<kind>subnetworks|resourcePolicies)$"
)
POLICY_PATH = re.compile(r"^/v[13]/projects/(?P<p>[^/]+):getIamPolicy$")
PROJECT_PATH = re.compile(r"^/v(?P<v>[13])/projects/(?P<p>[^/:]+)$")
PROJECT_NUMBER = "957053413691"
DEFAULT_PAGE_SIZE = 50


@dataclass
class ListingState:
    project: str
    collections: dict[str, list[Json]] = field(default_factory=dict)
    """Collection path (`/v2/projects/p/sinks`) -> its items."""
    iam_policy: Json = field(default_factory=lambda: {"version": 1, "bindings": []})
    denied: set[str] = field(default_factory=set)
    """Collection kinds (`sinks`) the caller may not list: answered 403, as without permission."""
    page_size: int = DEFAULT_PAGE_SIZE
    """Items per page when the caller does not ask for a size (tests make it small)."""
    lock: threading.RLock = field(default_factory=threading.RLock)

    def add(self, collection: str, item: Json) -> Json:
        path = collection.split("?", 1)[0]
        with self.lock:
            items = self.collections.setdefault(path, [])
            items[:] = [i for i in items if i.get("name") != item.get("name")] + [item]
        return item

    def remove(self, collection: str, name: str) -> None:
        with self.lock:
            items = self.collections.get(collection.split("?", 1)[0], [])
            items[:] = [i for i in items if i.get("name") != name]

    def serves(self, path: str) -> bool:
        patterns = (LIST_PATH, AGGREGATED, POLICY_PATH, PROJECT_PATH)
        return any(p.match(path) for p in patterns)

    def answer(self, path: str, query: dict[str, str]) -> Json:
        if found := PROJECT_PATH.match(path):
            self._own(found.group("p"))
            if found.group("v") == "1":  # Resource Manager v1's Project
                return {
                    "projectId": self.project,
                    "projectNumber": PROJECT_NUMBER,
                    "lifecycleState": "ACTIVE",
                    "name": self.project,
                }
            return {
                "name": f"projects/{PROJECT_NUMBER}",
                "projectId": self.project,
                "state": "ACTIVE",
            }
        if found := POLICY_PATH.match(path):
            self._own(found.group("p"))
            return self.iam_policy
        if found := AGGREGATED.match(path):
            self._own(found.group("p"))
            return self._aggregated(found.group("kind"))
        found = LIST_PATH.match(path)
        assert found is not None
        kind = found.group("kind")
        if kind in self.denied:
            raise GcpError(403, "PERMISSION_DENIED", f"Permission denied to list {kind}")
        if path.startswith(("/v", "/compute/")) and "/projects/" in path:
            self._own(found.group("owner"))
        pattern = re.compile("^" + re.escape(path).replace("/locations/\\-/", "/locations/[^/]+/"))
        with self.lock:
            items = [
                i for p, listed in self.collections.items() if pattern.match(p) for i in listed
            ]
        key = "items" if path.startswith("/compute/") else kind
        return _page(items, key, query, self.page_size)

    def _aggregated(self, kind: str) -> Json:
        scoped = re.compile(
            rf"^/compute/v1/projects/{re.escape(self.project)}/(?P<scope>(?:regions|zones)/[^/]+)/"
            rf"{re.escape(kind)}$"
        )
        items: Json = {}
        with self.lock:
            for path, listed in sorted(self.collections.items()):
                if (found := scoped.match(path)) and listed:
                    items[found.group("scope")] = {kind: list(listed)}
        return {"kind": f"compute#{kind}AggregatedList", "items": items}

    def _own(self, project: str) -> None:
        if project != self.project:
            # What Google answers for a project that does not exist or that the caller cannot see.
            raise GcpError(
                403, "PERMISSION_DENIED", f"Permission denied on resource project {project}."
            )


def _page(items: list[Json], key: str, query: dict[str, str], default_size: int) -> Json:
    size = int(query.get("pageSize") or query.get("maxResults") or default_size)
    start = int(query.get("pageToken") or 0)
    page: Json = {key: items[start : start + size]}
    if start + size < len(items):
        page["nextPageToken"] = str(start + size)
    return page
