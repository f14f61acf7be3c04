"""Third-party wheels for a Lambda platform, installed once per requirements file into a cache.

A requirements file of ours is the complete list of what ships (installed with ``--no-deps``), so
nothing a function never imports reaches Lambda: :func:`problems` refuses a list that misses a
dependency or ships a version the tests did not run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".build-cache"

# Requirements that shipped distributions declare but never import in Lambda.
UNUSED_REQUIREMENTS: dict[str, dict[str, str]] = {
    "opensearch-py": {
        "opensearch-protobufs": "the gRPC transport (grpcio, protobuf): the engine speaks HTTP",
    },
    # chalice.app, all a Lambda imports, needs only the standard library; the rest serves its CLI.
    "chalice": {"*": "the command-line tool (deploy, package, local server)"},
}


# Parts of shipped distributions that nothing imports in Lambda, left out of the artifacts (paths
# relative to the install folder, globs allowed). tests/unit/test_build_unused_files.py checks that
# no code of ours imports them.
UNUSED_FILES: dict[str, tuple[tuple[str, ...], str]] = {
    "phonenumbers": (
        ("phonenumbers/geodata", "phonenumbers/carrierdata"),
        "the geocoder's and carrier lookup's data (phonenumbers.geocoder, .carrier; about 40 MB):"
        " we parse, validate and format numbers only",
    ),
    "numpy": (("numpy/**/tests",), "numpy's own test suite (numpy.test())"),
    "shapely": (("shapely/tests",), "shapely's own test suite"),
}


def drop_unused(folder: Path) -> None:
    """Remove the UNUSED_FILES of the distributions installed in ``folder``."""
    for patterns, _why in UNUSED_FILES.values():
        for pattern in patterns:
            for path in sorted(folder.glob(pattern), reverse=True):
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()


# Pure-Python distributions published as source only: built here once into a universal wheel
# (``py3-none-any``, maybe ``py2.py3``: the same on every platform), which the Lambda install then finds.
SOURCE_ONLY: dict[str, str] = {"http-ece": "Web Push payload encryption (RFC 8188), pure Python"}


def _source_only_wheels(requirements: Path) -> Path:
    """A folder with a universal wheel of each SOURCE_ONLY requirement pinned in ``requirements``."""
    folder = CACHE / "source-only-wheels"
    folder.mkdir(parents=True, exist_ok=True)
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        name = canonical(requirement.name)
        if name not in SOURCE_ONLY:
            continue
        version = str(requirement.specifier).removeprefix("==")
        stem = name.replace("-", "_")
        if any(folder.glob(f"{stem}-{version}-*py3-none-any.whl")):
            continue
        command = [sys.executable, "-m", "pip", "wheel", "-qq", "--disable-pip-version-check", "--no-deps"]
        subprocess.run([*command, "--wheel-dir", str(folder), line], check=True)
        if not any(folder.glob(f"{stem}-{version}-*py3-none-any.whl")):
            raise RuntimeError(f"{line} did not build as a universal wheel: it is not pure Python")
    return folder


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Target:
    """A platform wheels are chosen for: manylinux ``machine``, CPython ``python``, glibc <= 2.``glibc``."""

    machine: str
    python: str = "3.12"
    glibc: int = 34  # Amazon Linux 2023, under the python3.12 runtime

    @property
    def platforms(self) -> list[str]:
        tags = [f"manylinux_2_{minor}_{self.machine}" for minor in range(self.glibc, 16, -1)]
        return [*tags, f"manylinux2014_{self.machine}"]

    def pip_args(self) -> list[str]:
        args = ["--implementation", "cp", "--python-version", self.python, "--only-binary=:all:"]
        for tag in self.platforms:
            args += ["--platform", tag]
        return args

    def markers(self) -> dict[str, str]:
        return {
            "python_version": self.python,
            "python_full_version": f"{self.python}.0",
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": self.machine,
            "os_name": "posix",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "extra": "",
        }


LAMBDA = Target("aarch64")  # template.yaml: Architectures [arm64], Runtime python3.12


def host() -> Target:
    """This machine's platform, for artifacts that must import here (the built-artifact test)."""
    machine = {"arm64": "aarch64", "amd64": "x86_64"}.get(platform.machine().lower(), platform.machine())
    libc = os.confstr("CS_GNU_LIBC_VERSION") or "glibc 2.17"
    minor = int(libc.split()[-1].split(".")[1])
    return Target(machine, glibc=min(LAMBDA.glibc, minor))


def install(requirements: Path, target: Target, bytecode_with: Path | None = None) -> Path:
    """The folder holding ``requirements`` installed for ``target`` (made once, reused until the list
    changes; the folder of an earlier version of the list is removed then)."""
    recipe = [requirements.read_bytes(), repr(target).encode(), str(bytecode_with is not None).encode()]
    recipe.append(repr(UNUSED_FILES).encode())  # what is left out changes what the folder holds
    key = hashlib.sha256(b"\n".join(recipe)).hexdigest()[:16]
    pyc = "-pyc" if bytecode_with is not None else ""
    kind = f"deps-{requirements.parent.name}-{target.machine}{pyc}-py{target.python}"
    folder = CACHE / f"{kind}-{key}"
    if (folder / ".complete").exists():
        return folder
    for stale in CACHE.glob(f"{kind}-*"):  # an earlier version of the same list
        if not stale.name.endswith(".tmp"):
            shutil.rmtree(stale, ignore_errors=True)
    scratch = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
    command += ["--no-deps", "--no-compile", "--target", str(scratch), *target.pip_args()]
    command += ["--find-links", str(_source_only_wheels(requirements))]
    subprocess.run([*command, "-r", str(requirements)], check=True)
    shutil.rmtree(scratch / "bin", ignore_errors=True)  # console scripts: nothing runs them in Lambda
    drop_unused(scratch)
    if bytecode_with is not None:
        compile_bytecode(scratch, bytecode_with)
    (scratch / ".complete").touch()
    try:
        scratch.rename(folder)
    except OSError:  # another process finished the same folder first
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


def compile_bytecode(folder: Path, python: Path) -> None:
    """Precompiled bytecode: Lambda's code folders are read-only, so without it every cold start compiles."""
    command = [str(python), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    subprocess.run([*command, str(folder)], check=True, stdout=subprocess.DEVNULL)


def problems(folders: list[Path], target: Target) -> list[str]:
    """What is wrong with the distributions installed in ``folders`` together (empty when all is well)."""
    shipped = {canonical(d.metadata["Name"]): d for d in md.distributions(path=[str(f) for f in folders])}
    found: list[str] = []
    for name, dist in sorted(shipped.items()):
        unused = UNUSED_REQUIREMENTS.get(name, {})
        for line in dist.requires or []:
            requirement = Requirement(line)
            needed = canonical(requirement.name)
            if requirement.marker is not None and not requirement.marker.evaluate(target.markers()):
                continue
            if needed in shipped or needed in unused or "*" in unused:
                continue
            found.append(f"{dist.metadata['Name']} {dist.version} needs {requirement}: not shipped")
        try:
            tested = md.version(name)
        except md.PackageNotFoundError:
            found.append(f"{dist.metadata['Name']} {dist.version} is not installed where the tests run")
            continue
        if tested != dist.version:
            found.append(f"{dist.metadata['Name']} ships {dist.version} but the tests run {tested}")
    return found
