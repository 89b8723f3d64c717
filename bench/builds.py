"""The release builds the benchmark measures.

- The functions as `template.yaml` deploys them: `cargo lambda build --release
  --arm64` (sizes: the stripped binary and its zip).
- The same functions for this machine (x86_64), whose start-up, memory and
  latency the benchmark measures: Lambda's arm64 cannot run here.
- `products-get` under each release-profile variant of the settings study, each in
  its own target dir so a re-run rebuilds only what changed.
"""

import subprocess
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "target"
STUDIED = "products-get"

# The settings study: from cargo's default release profile, one setting at a time,
# then smaller opt-levels on top. Each variant names every setting it builds with.
CARGO_DEFAULT = {"opt-level": 3, "lto": False, "codegen-units": 16, "panic": "unwind", "strip": "none"}
VARIANTS = {
    "cargo default release": CARGO_DEFAULT,
    "+ strip symbols": {**CARGO_DEFAULT, "strip": "symbols"},
    "+ panic = abort": {**CARGO_DEFAULT, "strip": "symbols", "panic": "abort"},
    "+ fat LTO": {**CARGO_DEFAULT, "strip": "symbols", "panic": "abort", "lto": "fat"},
    "+ 1 codegen unit": {"opt-level": 3, "lto": "fat", "codegen-units": 1, "panic": "abort", "strip": "symbols"},
    "opt-level s": {"opt-level": "s", "lto": "fat", "codegen-units": 1, "panic": "abort", "strip": "symbols"},
    "opt-level z": {"opt-level": "z", "lto": "fat", "codegen-units": 1, "panic": "abort", "strip": "symbols"},
}


def release_profile():
    """The workspace's [profile.release], with cargo's defaults for what it leaves out."""
    declared = tomllib.loads((ROOT / "Cargo.toml").read_text())["profile"]["release"]
    return {**CARGO_DEFAULT, **declared}


def slug(settings):
    """A target-dir name for a set of settings: the same settings share a build."""
    lto = {False: "nolto", True: "fat", "off": "nolto", "false": "nolto"}.get(settings["lto"], settings["lto"])
    strip = {"none": "nostrip", "symbols": "strip", "debuginfo": "stripdebug"}[settings["strip"]]
    return f"o{settings['opt-level']}-{lto}-cgu{settings['codegen-units']}-{settings['panic']}-{strip}"


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else f'"{value}"'


def _cargo(args, settings, target_dir):
    overrides = [f"--config=profile.release.{k}={_toml(v)}" for k, v in settings.items()]
    command = ["cargo", *args, "--release", "--target-dir", str(target_dir), *overrides]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def host_build(settings, binaries=None):
    """Builds for this machine (every function and the floor, or the binaries named;
    never the CLI, whose SSO credentials would otherwise be unified into them);
    returns the directory holding the binaries."""
    target_dir = TARGET / "bench" / slug(settings)
    selection = [a for b in binaries for a in ("--bin", b)] if binaries else ["-p", "tillbox-functions", "-p", "bench-floor", "--bins"]
    _cargo(["build", *selection], settings, target_dir)
    if not binaries:
        cli_build(settings)
    return target_dir / "release"


def cli_build(settings):
    """The CLI, beside `host_build`'s binaries: it mints the workloads' tokens and
    rebuilds the search index. Built on its own, so its SSO credentials
    (cli/Cargo.toml) stay out of the functions measured."""
    _cargo(["build", "-p", "tillbox-admin"], settings, TARGET / "bench" / slug(settings))


def lambda_build():
    """`cargo lambda build --release --arm64`, zipped, with the workspace's profile;
    returns {binary: (bytes of the stripped binary, bytes of its zip)}."""
    lambda_dir = TARGET / "lambda-arm64"
    command = ["cargo", "lambda", "build", "--release", "--arm64", "--output-format", "zip",
               "--lambda-dir", str(lambda_dir), "-p", "tillbox-functions"]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    sizes = {}
    for archive in sorted(lambda_dir.glob("*/bootstrap.zip")):
        with zipfile.ZipFile(archive) as z:
            sizes[archive.parent.name] = (z.getinfo("bootstrap").file_size, archive.stat().st_size)
    return sizes
