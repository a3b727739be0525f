"""prewire's own SSM Command documents for memory capture, deployed by the stack.

The responder role may send only these documents to instances (never AWS-RunShellScript, which
would let whoever holds the role run any command as root on every managed instance). Each
parameter is typed and validated twice, by SSM against its `allowedPattern` and here before the
command is sent: the values are substituted into the script, so the patterns admit no quote, no
space and no shell metacharacter outside single quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from responders.runtime import InputError

# A pre-signed HTTPS URL: RFC 3986 characters without the single quote the script wraps it in.
URL = r"^https?://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]{1,4000}$"
SHA256 = r"^[0-9a-f]{64}$"
# mktemp -d /var/tmp/prewire.XXXXXX, as the capture document creates it.
IMAGE_PATH = r"^/var/tmp/prewire\.[A-Za-z0-9]{6}/memory\.lime$"
CHECKSUM = r"^[A-Za-z0-9+/]{43}=$"
TIMEOUT = r"^[0-9]{1,5}$"


@dataclass(frozen=True)
class CommandDocument:
    name: str
    description: str
    parameters: dict[str, str]
    """Parameter name -> its allowedPattern (every parameter is a String)."""
    commands: tuple[str, ...]

    def content(self) -> dict[str, Any]:
        """The document as SSM stores it (schema 2.2, one aws:runShellScript step)."""
        return {
            "schemaVersion": "2.2",
            "description": self.description,
            "parameters": {
                **{
                    name: {"type": "String", "allowedPattern": pattern}
                    for name, pattern in self.parameters.items()
                },
                "executionTimeout": {
                    "type": "String",
                    "default": "3600",
                    "allowedPattern": TIMEOUT,
                },
            },
            "mainSteps": [
                {
                    "action": "aws:runShellScript",
                    "name": "run",
                    "precondition": {"StringEquals": ["platformType", "Linux"]},
                    "inputs": {
                        "timeoutSeconds": "{{ executionTimeout }}",
                        "runCommand": list(self.commands),
                    },
                }
            ],
        }

    def parameters_for(self, values: dict[str, str], timeout_seconds: int) -> dict[str, list[str]]:
        """SSM's Parameters for these values; a value its pattern refuses is an input error."""
        given = {**values, "executionTimeout": str(timeout_seconds)}
        patterns = {**self.parameters, "executionTimeout": TIMEOUT}
        if set(given) != set(patterns):
            raise InputError(f"{self.name} takes {sorted(patterns)}, not {sorted(given)}")
        for name, value in given.items():
            if not re.fullmatch(patterns[name].strip("^$"), value):
                raise InputError(f"{self.name}: {name} {value[:60]!r} is not of the allowed form")
        return {name: [value] for name, value in given.items()}

    def commands_for(self, parameters: dict[str, list[str]]) -> list[str]:
        """The script SSM runs for these Parameters (its `{{ name }}` substitution)."""
        lines = []
        for line in self.commands:
            for name, (value,) in parameters.items():
                line = line.replace("{{ " + name + " }}", value)
            lines.append(line)
        return lines


CAPTURE = CommandDocument(
    name="prewire-CaptureMemory",
    description="prewire: fetch the pinned memory tool, check its SHA-256, image memory to disk",
    parameters={"toolUrl": URL, "toolSha256": SHA256},
    commands=(
        "set -eu",
        "umask 077",
        "work=$(mktemp -d /var/tmp/prewire.XXXXXX)",
        "curl -fsS -o \"$work/tool\" '{{ toolUrl }}' || wget -q -O \"$work/tool\" '{{ toolUrl }}'",
        "echo '{{ toolSha256 }}  '\"$work/tool\" | sha256sum -c - >/dev/null"
        " || { echo 'PREWIRE-ERROR memory tool hash mismatch'; exit 3; }",
        'chmod 700 "$work/tool"',
        '"$work/tool" --compress "$work/memory.lime"',
        "sha=$(sha256sum \"$work/memory.lime\" | cut -d' ' -f1)",
        'size=$(stat -c %s "$work/memory.lime")',
        'echo "PREWIRE-IMAGE path=$work/memory.lime sha256=$sha size=$size"',
    ),
)
UPLOAD = CommandDocument(
    name="prewire-UploadMemoryImage",
    description="prewire: upload a memory image with its SHA-256 checksum, then remove the copy",
    parameters={"imagePath": IMAGE_PATH, "putUrl": URL, "checksum": CHECKSUM},
    commands=(
        "set -eu",
        "curl -fsS -X PUT -H 'x-amz-sdk-checksum-algorithm: SHA256'"
        " -H 'x-amz-checksum-sha256: {{ checksum }}'"
        " --upload-file '{{ imagePath }}' '{{ putUrl }}'",
        # Only after S3 accepted the checksummed upload: the image is a copy, not the evidence.
        "rm -f '{{ imagePath }}'",
        "echo PREWIRE-UPLOADED",
    ),
)
DOCUMENTS = (CAPTURE, UPLOAD)
