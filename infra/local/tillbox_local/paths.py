"""Where the local stack's files are. The package runs from the repository (an
editable install): template.yaml and the Cargo workspace are at the root, the
development keys and parameters in infra/local/ beside the package."""

from pathlib import Path

# infra/local/: parameters.json, dev-signing-key.json, dev-stripe-*.txt
LOCAL = Path(__file__).resolve().parents[1]
# The repository's root.
ROOT = LOCAL.parents[1]
