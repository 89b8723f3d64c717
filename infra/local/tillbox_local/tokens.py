"""Development access tokens, signed with the published development key
(infra/local/dev-signing-key.json) for the issuer and audience the local stack
configures (parameters.json)."""

import json
import subprocess

from .paths import LOCAL
from .runtime import binaries_dir


def token(role, sub, bin_dir=None):
    """An access token signed with the published development key."""
    params = json.loads((LOCAL / "parameters.json").read_text())
    return subprocess.check_output([
        str((bin_dir or binaries_dir()) / "tillbox-admin"), "token", "--key", str(LOCAL / "dev-signing-key.json"),
        "--role", role, "--sub", sub, "--issuer", params["JwtIssuer"], "--audience", params["JwtAudience"],
    ], text=True).strip()
