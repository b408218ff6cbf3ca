"""Dependencies are declared once (pyproject.toml) and installed only from the hashed locks made from it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """Package -> (version, hashes) for every pinned line of a pip-compile lock."""
    text = (ROOT / name).read_text(encoding="utf-8")
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            version = match.group(2).rstrip("\\").strip()
            entries[canonicalize_name(match.group(1))] = (version, re.findall(r"--hash=sha256:[0-9a-f]{64}", block))
    return entries


def _declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(line) for line in project["dependencies"]]
    for extra in extras:
        found += [Requirement(line) for line in project["optional-dependencies"][extra]]
    return found


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev", "llm"))])
def test_every_declared_dependency_is_locked_at_its_declared_version_with_hashes(lock: str, extras: tuple) -> None:
    locked = _lock(lock)
    for requirement in _declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is in pyproject.toml but not in {lock}: run `make lock`"
        version, _ = locked[name]
        assert requirement.specifier.contains(version), f"{lock} pins {name}=={version}, pyproject says {requirement}"
    unhashed = [name for name, (_, hashes) in locked.items() if not hashes]
    assert not unhashed, f"pinned without a hash in {lock}: {unhashed}"


def test_the_runtime_lock_is_the_dev_lock_without_the_tools() -> None:
    runtime, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    differ = {name: (version, dev.get(name, ("missing",))[0]) for name, (version, _) in runtime.items()
              if dev.get(name, ("missing",))[0] != version}
    assert not differ, f"the two locks disagree (runtime, dev): {differ}"
    dev_only = {canonicalize_name(r.name) for r in _declared("dev")} - {canonicalize_name(r.name) for r in _declared()}
    assert not dev_only & runtime.keys(), "test tools in the runtime lock (and so in the Docker image)"


def test_torch_is_locked_as_the_cpu_build() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        locked = _lock(lock)
        assert locked["torch"][0] == "2.13.0+cpu"
        cuda = sorted(name for name in locked if name.startswith(("nvidia-", "triton", "cuda-")))
        assert not cuda, f"{lock} pulls CUDA packages: {cuda}"


def test_make_ci_and_the_image_install_only_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements.lock" in dockerfile and "requirements-dev.lock" not in dockerfile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # CI goes through the Makefile
    # One way to install: no second list to fall out of step, no separate torch install.
    for stale in ("requirements.txt", "requirements-dev.txt", "requirements-llm.txt", "constraints.txt"):
        assert not (ROOT / stale).exists(), f"{stale} duplicates pyproject.toml"
    for recipe in (makefile, dockerfile):
        assert not re.search(r"pip install torch", recipe)
    assert re.search(r"^lock:", makefile, re.MULTILINE)


def test_the_dev_lock_carries_everything_the_llama_server_extra_needs() -> None:
    """Regression: llama-cpp-python is installed without dependencies, and fastapi (which its [server] extra
    needs) was missing from the dev lock, so every test serving a real chat model failed on a clean clone.
    """
    from importlib.metadata import PackageNotFoundError, requires

    try:
        needs = [Requirement(line) for line in requires("llama-cpp-python") or []]
    except PackageNotFoundError:
        pytest.skip("llama-cpp-python is not installed (make dev-install builds and installs it)")
    server = [r for r in needs if r.marker is not None and r.marker.evaluate({"extra": "server"})
              and not r.marker.evaluate({"extra": ""})]
    assert server, "the [server] extra lists nothing: this test no longer checks what it should"
    locked = _lock("requirements-dev.lock")
    missing = [r.name for r in server if canonicalize_name(r.name) not in locked]
    assert not missing, f"add these to the dev extra in pyproject.toml and run make lock: {missing}"
