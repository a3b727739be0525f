"""What the installed provider SDKs say about a type token.

The render mocks use it to give a resource the outputs the real engine would give it: the
Python class behind a token, the wire names and types of its properties, which of them a program
can set (the `...Args` input type), and the result type of an invoke. Everything is read from the
generated SDK classes (their `@pulumi.getter` properties and annotations), so it follows the
installed provider versions without a table of our own.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import inspect
import sys
import typing
from typing import Any

import pulumi
from pulumi.runtime import rpc

Fields = dict[str, Any]
"""Wire name (camelCase) -> type hint with `Output[...]` and `Optional[...]` removed."""


def _split(token: str) -> tuple[str, str, str]:
    """'aws:eks/cluster:Cluster' -> ('aws', 'eks/cluster', 'Cluster')."""
    package, module, kind = [*token.split(":"), "", ""][:3]
    return package, module, kind


@functools.cache
def resource_class(token: str) -> type | None:
    """The SDK class registered for a resource token, if its package is installed and loaded."""
    package, module, _ = _split(token)
    # Providers register their modules with the Pulumi runtime when imported (the program that
    # declared the resource has imported it); `_RESOURCE_MODULES` is where that registry lives.
    root = "pulumi_" + package.replace("-", "_")
    if root not in sys.modules:
        try:
            importlib.import_module(root)
        except ImportError:
            return None
    for registered in rpc._RESOURCE_MODULES.get(f"{package}:{module}", []):
        info = getattr(registered, "mod_info", None)
        if not isinstance(info, dict) or token not in info.get("classes", {}):
            continue
        try:
            return getattr(importlib.import_module(info["fqn"]), info["classes"][token])  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            return None
    return None


@functools.cache
def invoke_result_class(token: str) -> type | None:
    """The result type of an invoke: 'aws:ec2/getAmi:getAmi' -> pulumi_aws.ec2.GetAmiResult."""
    package, module, function = _split(token)
    if not function:
        return None
    root = "pulumi_" + package.replace("-", "_")
    service = module.split("/", 1)[0]
    path = root if service in ("index", "") else f"{root}.{service.replace('-', '_')}"
    if path.split(".", 1)[0] not in sys.modules:
        return None  # the program did not import that provider: nothing to read
    try:
        namespace = importlib.import_module(path)
    except ImportError:
        return None
    found = getattr(namespace, f"{function[0].upper()}{function[1:]}Result", None)
    return found if isinstance(found, type) else None


def unwrap(hint: Any) -> Any:
    """`Output[Optional[T]]` -> T; other hints unchanged."""
    while True:
        origin = typing.get_origin(hint)
        if origin is pulumi.Output:
            hint = typing.get_args(hint)[0]
            continue
        if origin is typing.Union:
            members = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(members) == 1:
                hint = members[0]
                continue
        return hint


@functools.cache
def fields(cls: type) -> Fields:
    """Wire names and types of a resource class's or output type's properties."""
    namespace: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        module = sys.modules.get(base.__module__)
        if module is not None:
            namespace.update(vars(module))
    local = {"Output": pulumi.Output, "T": type(None)}
    found: Fields = {}
    for _, member in inspect.getmembers(cls, lambda m: isinstance(m, property)):
        wire = getattr(member.fget, "_pulumi_name", None)
        if not isinstance(wire, str):
            continue
        try:
            hint = typing.get_type_hints(member.fget, globalns=namespace, localns=local)
        except (NameError, TypeError, AttributeError):
            found[wire] = Any  # an annotation that does not resolve: treat the value as opaque
            continue
        found[wire] = unwrap(hint.get("return", Any))
    return found


@functools.cache
def args_class(cls: type) -> type | None:
    """The input type of a resource class or output type (`ClusterArgs`, `IdentityArgs` for
    azure-native's `IdentityResponse`), or None if the SDK has none."""
    if is_output_type(cls):
        owner = sys.modules.get(cls.__module__.rsplit(".", 1)[0])
        names = [f"{cls.__name__}Args", f"{cls.__name__.removesuffix('Response')}Args"]
    else:
        owner = sys.modules.get(cls.__module__)
        names = [f"{cls.__name__}Args"]
    for name in names:
        found = getattr(owner, name, None) if owner is not None else None
        if isinstance(found, type):
            return found
    return None


def settable(cls: type) -> frozenset[str] | None:
    """Wire names a program can set on `cls` (its `...Args` type), or None if there is none.

    A property that is not settable is computed by the provider: that is what the mocks fill in.
    """
    args = args_class(cls)
    return frozenset(fields(args)) if args is not None else None


def is_output_type(hint: Any) -> bool:
    return isinstance(hint, type) and bool(getattr(hint, "_pulumi_output_type", False))


def is_sequence(hint: Any) -> bool:
    return typing.get_origin(hint) in (list, collections.abc.Sequence)


def is_mapping(hint: Any) -> bool:
    return hint is dict or typing.get_origin(hint) in (dict, collections.abc.Mapping)


def item_type(hint: Any) -> Any:
    arguments = typing.get_args(hint)
    return unwrap(arguments[-1]) if arguments else Any
