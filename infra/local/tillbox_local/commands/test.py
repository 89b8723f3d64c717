"""`make test`: starts the emulators (moto, Stripe), runs every Rust test, builds the
dashboard, then runs the local-stack tests (gateway, event pump, end to end, the
dashboard in headless Chromium) against the built function binaries, and stops
the emulator whatever happened.

The local-stack tests run in a random order (classes shuffled, and the tests
within each class), so no test passes only because of where it sits. The seed is
printed; `TILLBOX_TEST_SEED=<seed> make test` repeats an order."""

import json
import os
import random
import subprocess
import sys
import unittest
import urllib.request

from .. import cfn, dashboard, iam_check
from ..emulator import Emulator, free_port
from ..paths import LOCAL, ROOT
from ..processes import die_with_parent
from ..runtime import binaries_dir
from ..stripe_emulator import LocalStripe


def run(cmd, env):
    print(f"\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def shuffled(suite, rng):
    """The suite's tests with the classes in a random order and each class's tests
    in a random order; a class's tests stay together, so its fixture is set up once."""
    by_class = {}

    def collect(node):
        for test in node:
            if isinstance(test, unittest.TestSuite):
                collect(test)
            else:
                by_class.setdefault(type(test), []).append(test)

    collect(suite)
    classes = list(by_class.values())
    rng.shuffle(classes)
    for tests in classes:
        rng.shuffle(tests)
    return unittest.TestSuite(unittest.TestSuite(tests) for tests in classes)


def local_stack_tests(seed):
    print(f"\n$ local-stack tests (infra/local/tests), order seed {seed}", flush=True)
    # The tests sit beside the package (infra/local/tests/), not in it: discovery
    # imports them from there as tests.test_<name>.
    suite = unittest.defaultTestLoader.discover(str(LOCAL / "tests"), top_level_dir=str(LOCAL))
    result = unittest.TextTestRunner(verbosity=2).run(shuffled(suite, random.Random(seed)))
    if not result.wasSuccessful():
        print(f"order seed {seed}: TILLBOX_TEST_SEED={seed} make test runs this order again", flush=True)
    return 0 if result.wasSuccessful() else 1


def iam_matches_what_ran(endpoint):
    """Fails when a function touched a table key its role's `dynamodb:LeadingKeys`
    would refuse in AWS (tillbox_local/iam_check.py)."""
    with urllib.request.urlopen(f"{endpoint}/_local/keys", timeout=30) as r:
        observed = json.load(r)
    refused = iam_check.refusals(cfn.load(), observed)
    print(f"\n$ IAM check: the keys each function touched against its grants ({len(observed)} functions)", flush=True)
    for line in refused:
        print(f"  {line}", flush=True)
    print("  every key was granted" if not refused else f"  {len(refused)} would be refused in AWS", flush=True)
    return 1 if refused else 0


def main():
    seed = int(os.environ.get("TILLBOX_TEST_SEED") or random.randrange(1 << 32))
    bin_dir = binaries_dir()
    (ROOT / ".local").mkdir(exist_ok=True)
    log = ROOT / ".local" / "moto-test.log"
    log.unlink(missing_ok=True)
    with Emulator(log=log) as emulator, open(log, "ab") as out, \
            LocalStripe(free_port(), log=out, preexec_fn=die_with_parent) as stripe:
        env = {**os.environ, **emulator.env(), "TILLBOX_BIN_DIR": str(bin_dir), "TILLBOX_STRIPE_URL": stripe.url}
        print(f"moto on {emulator.endpoint}, Stripe emulator on {stripe.url}", flush=True)
        if run(["cargo", "build", "--workspace", "--bins"], env):
            return 1
        if run(["cargo", "test", "--workspace"], env):
            return 1
        print("\n$ npm ci && npm run build (dashboard/)", flush=True)
        if dashboard.build():
            return 1
        os.environ.update(env)
        failed = local_stack_tests(seed)
        print(f"emulator memory after the suite: {emulator.memory()}", flush=True)
        return failed or iam_matches_what_ran(emulator.endpoint)


if __name__ == "__main__":
    sys.exit(main())
