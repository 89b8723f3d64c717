"""The local stack: everything `make dev`, `make test` and `make bench` need to run
Tillbox's functions without AWS (provisioning from template.yaml, the emulators,
the gateway and event pump, the Lambda Runtime API). The library modules are
here; the commands are in `tillbox_local.commands` (`python -m
tillbox_local.commands.<name>`). `make` installs the package into .venv/ in
editable mode (`pip install -e infra/local`): it reads template.yaml and the
development keys from the repository it sits in."""
