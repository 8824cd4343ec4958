"""The trees the benchmark measures: a copy of the running Python's
standard library, and parts of pinned PyPI sdists, downloaded once, checked
against their SHA-256 and unpacked under `benchmarks/.work/`."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from dataclasses import dataclass
from pathlib import Path

WORK_DIR = Path(__file__).resolve().parent / ".work"
# Not resolved: a virtualenv's python is a symlink, and resolving it
# would leave the virtualenv.
PYTHON = sys.executable
MIB = 1024 * 1024


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_checked(argv: list[str]) -> None:
    if subprocess.run(argv, check=False).returncode != 0:
        sys.exit(f"failed: {' '.join(argv)}")


@dataclass(frozen=True)
class Sdist:
    dist: str
    version: str
    sha256: str
    subdir: str  # the part of the unpacked sdist that is measured


SDISTS = {
    "django": Sdist(
        "Django", "5.2.8",
        "23254866a5bb9a2cfa6004e8b809ec6246eba4b58a7589bc2772f1bcc8456c7f",
        "django",
    ),
    "sqlalchemy": Sdist(
        "SQLAlchemy", "2.0.44",
        "0ae7454e1ab1d780aee69fd2aae7d6b8670a581d8847f2d1e0f7ddfbf47e5a22",
        "lib",
    ),
    # Applications rather than libraries: GNU Mailman 3 keeps its state in
    # a database through SQLAlchemy, barman drives PostgreSQL with psycopg2.
    "mailman": Sdist(
        "mailman", "3.3.10",
        "0de478fcf326f25d931938c3744e61c5cd67596b46e5b1e3bb2abf99d5445632",
        "src/mailman",
    ),
    "barman": Sdist(
        "barman", "3.14.0",
        "e99e4bb96e60d0efa20abeb3a5737cc02a6b4a91093dc43a284ccc2e4ee7749c",
        "barman",
    ),
}

# Left out of the standard library copy: third-party code, the test
# suites, and `venv`, which ruff and leaklint skip by default.
STDLIB_EXCLUDED_DIRS = frozenset(
    {"site-packages", "test", "tests", "idle_test", "venv", "__pycache__"}
)


# --------------------------------------------------------------- trees


@dataclass
class Tree:
    name: str
    path: Path
    description: str
    files: int = 0
    size: int = 0


def prepare_tree(name: str, quick: bool) -> Tree:
    if name == "stdlib":
        tree = stdlib_tree(quick)
    else:
        tree = sdist_tree(SDISTS[name])
    sizes = [p.stat().st_size for p in tree.path.rglob("*.py")]
    tree.files, tree.size = len(sizes), sum(sizes)
    return tree


def stdlib_tree(quick: bool) -> Tree:
    """A copy of the running Python's standard library .py files.

    A copy gives every tool the same files without each tool's own
    exclusion options.
    """
    source = Path(sysconfig.get_paths()["stdlib"])
    name = f"stdlib-{platform.python_version()}" + ("-quick" if quick else "")
    target = WORK_DIR / "trees" / name
    if not target.is_dir():
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        copy_python_files(source, partial, top_level_only=quick)
        partial.rename(target)
    if quick:
        what = "top-level modules only (quick subset)"
    else:
        excluded = ", ".join(sorted(STDLIB_EXCLUDED_DIRS - {"__pycache__"}))
        what = f"without the directories named {excluded}"
    return Tree("stdlib", target, f"standard library of {source}, {what}")


def copy_python_files(source: Path, target: Path, top_level_only: bool) -> None:
    for directory, dirnames, filenames in os.walk(source):
        if top_level_only:
            dirnames[:] = []
        dirnames[:] = [d for d in dirnames if d not in STDLIB_EXCLUDED_DIRS]
        destination = target / Path(directory).relative_to(source)
        for name in filenames:
            if name.endswith(".py"):
                destination.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(directory, name), destination / name)


def sdist_tree(sdist: Sdist) -> Tree:
    """The measured part of an sdist, downloaded and unpacked only once."""
    root = WORK_DIR / "src" / f"{sdist.dist.lower()}-{sdist.version}"
    if not root.is_dir():
        unpack(download(sdist), root)
    return Tree(
        sdist.dist.lower(),
        root / sdist.subdir,
        f"`{sdist.subdir}/` of the {sdist.dist} {sdist.version} sdist",
    )


def download(sdist: Sdist) -> Path:
    directory = WORK_DIR / "sdist"
    archive = find_archive(directory, sdist)
    if archive is None:
        log(f"downloading the {sdist.dist}=={sdist.version} sdist")
        # --no-binary for this package only: with :all: pip would also
        # build the sdist's build dependencies (Cython) from source just
        # to read its metadata.  The archive is the same.
        run_checked([
            PYTHON, "-m", "pip", "download", "--quiet", "--no-deps",
            "--no-binary", sdist.dist, f"{sdist.dist}=={sdist.version}",
            "-d", str(directory),
        ])
        archive = find_archive(directory, sdist)
    if archive is None:
        sys.exit(f"pip did not leave an sdist of {sdist.dist} in {directory}")
    digest = sha256(archive)
    if digest != sdist.sha256:
        sys.exit(f"{archive}: sha256 {digest}, expected {sdist.sha256}")
    return archive


def sha256(path: Path) -> str:
    # In chunks: this process's own peak memory ends up in every child's
    # ru_maxrss, so it must stay small.
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_archive(directory: Path, sdist: Sdist) -> Path | None:
    prefix = f"{sdist.dist.lower()}-{sdist.version}."
    if directory.is_dir():
        for path in directory.iterdir():
            if path.name.lower().startswith(prefix) and path.name.endswith(".tar.gz"):
                return path
    return None


def unpack(archive: Path, root: Path) -> None:
    """Unpack so that root holds the sdist's single top-level directory;
    a half-done unpack is never mistaken for a finished one."""
    log(f"unpacking {archive.name}")
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(partial, filter="data")
        else:
            tar.extractall(partial)
    (top,) = partial.iterdir()
    top.rename(root)
    partial.rmdir()


def warm_page_cache(tree: Path) -> None:
    """Read every file once so the first timed command does not pay for
    the disk."""
    for path in tree.rglob("*.py"):
        path.read_bytes()

