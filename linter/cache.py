"""The result cache: what linting a file found, so that a re-run lints only
the files that changed.

One file per cache directory (`.leaklint_cache/` at the project root, which
the command line chooses, or `--cache-dir`), read once per run:

    MAGIC, then two pickles: the header {"fingerprint", "rules"} and the body
    {config key: {"stamp": time, "files": {absolute path: entry}}}

- The *fingerprint* is the code that computes a result: leaklint's version,
  the size and modification time of each of its modules (the default
  catalogue is code too), LibCST's version file and the Python version.
  A body written under another fingerprint is dropped whole.
- The *config key* is a digest of the effective configuration: the rule
  selection, the catalogue additions (or the whole catalogue when it is not
  the default one) and the configured summaries. A few configurations are
  kept side by side, so switching `--select` back and forth stays cached.
- An *entry* is valid for one content hash, the path as it was given (it is
  in the diagnostics) and the module name (relative imports depend on it):
  `(hash, path, module, first, later)`. `first` is the result linted
  without the other modules' summaries (the first pass); `later` maps
  `("usable", digest of the summaries all files exported)` to those of them
  the file could use, and `("result", digest of the summaries it was linted
  with)` to that result. A change in another file that changes the
  project's summaries changes the digests, so the dependent entries miss.
- The header also keeps the rule codes of this fingerprint: the command
  line needs them before linting, and importing the rules imports LibCST,
  which a fully cached run never needs otherwise.

Reading is defensive: a cache that cannot be read or unpickled, or holds
anything but leaklint's own result types, is ignored (unpickling only allows
leaklint's dataclasses and enums). Writing merges with what is on disk and
replaces the file atomically (temporary file + `os.replace`), so concurrent
runs never see half a file; at worst one run's new entries are lost.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import os
import pickle
import sys
import time
from typing import Any, Iterable, Mapping, Optional

DEFAULT_DIR = ".leaklint_cache"
CACHE_FILE = "results.cache"
MAGIC = b"leaklint-cache-1\n"
PROTOCOL = 4  # every supported Python reads it
MAX_CONFIGS = 8  # configurations kept side by side in one cache file
GITIGNORE = "# Automatically created by leaklint.\n*\n"


class Uncacheable(Exception):
    """Part of the configuration has no stable digest: run without the cache."""


# -- digests ----------------------------------------------------------------------------


def content_hash(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()  # the fastest of hashlib's where CPUs have SHA instructions


def digest(value: Any) -> str:
    """A digest of a value that is the same in every process (set order and
    string hashing vary between processes; `canonical` removes both)."""
    return digest_text(repr(canonical(value)))


def digest_text(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def canonical(value: Any) -> Any:
    """Plain nested tuples for dataclasses, enums, sets and mappings."""
    if value is None or isinstance(value, (str, int, float, bytes)):
        return value
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__qualname__, value.name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,) + tuple(
            (f.name, canonical(getattr(value, f.name))) for f in dataclasses.fields(value)
        )
    if isinstance(value, (set, frozenset)):
        return ("set",) + tuple(sorted((canonical(v) for v in value), key=repr))
    if isinstance(value, Mapping):
        return ("map",) + tuple(sorted(((canonical(k), canonical(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(canonical(v) for v in value)
    pattern = getattr(value, "pattern", None)
    if pattern is not None and hasattr(value, "flags"):  # a compiled regular expression
        return ("re", pattern, value.flags)
    raise Uncacheable(f"no stable digest for {type(value).__name__}")


_FINGERPRINT: Optional[str] = None  # the code does not change while it runs


def code_fingerprint() -> str:
    """Everything besides the file and the configuration that a result depends on."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from . import __version__

        parts: list = [__version__, sys.implementation.name, tuple(sys.version_info), sys.version]
        for directory in _code_directories():
            parts.append((directory, tuple(_module_stats(directory))))
        parts.append(_libcst_stamp())
        _FINGERPRINT = digest(parts)
    return _FINGERPRINT


def _code_directories() -> list[str]:
    """leaklint's package and the rules package (installed separately in a
    development checkout)."""
    import importlib.util

    directories = [os.path.dirname(os.path.abspath(__file__))]
    try:
        spec = importlib.util.find_spec("leaklint.rules")
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        location = os.path.abspath(location)
        if location not in directories:
            directories.append(location)
    return directories


def _module_stats(directory: str) -> Iterable[tuple]:
    for folder, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                yield (os.path.relpath(os.path.join(folder, name), directory), info.st_size, info.st_mtime_ns)


def _libcst_stamp() -> tuple:
    """LibCST's version file, found without importing LibCST."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("libcst")
    except (ImportError, ValueError):
        return ()
    if spec is None or not spec.origin:
        return ()
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "_version.py"), "rb") as handle:
            return (spec.origin, handle.read())
    except OSError:
        return (spec.origin,)


# -- reading safely ------------------------------------------------------------------------------


# The modules whose result types a cache holds (diagnostics, summaries and
# the catalogue data summaries carry); all of them are safe to import.
RESULT_MODULES = frozenset({"leaklint.diagnostics", "leaklint.summaries", "leaklint.catalogue.model"})


class _Unpickler(pickle.Unpickler):
    """Only leaklint's own result dataclasses and enums: a cache file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module in RESULT_MODULES:
            import importlib

            value = getattr(importlib.import_module(module), name, None)
            if isinstance(value, type) and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum)):
                return value
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a leaklint cache")


def _load(data: bytes, position: int = 0) -> tuple[Any, int]:
    stream = io.BytesIO(data)
    stream.seek(position)
    value = _Unpickler(stream).load()
    return value, stream.tell()


def _read(path: str, *, header_only: bool = False) -> tuple[Optional[dict], Optional[dict]]:
    """(header, body) of a cache file; (None, None) if missing or unusable."""
    try:
        with open(path, "rb") as handle:
            if header_only:
                data = handle.read(64 * 1024)
            else:
                data = handle.read()
    except (OSError, ValueError):
        return None, None
    if not data.startswith(MAGIC):
        return None, None
    try:
        header, end = _load(data, len(MAGIC))
        if not isinstance(header, dict) or not isinstance(header.get("fingerprint"), str):
            return None, None
        if header_only:
            return header, None
        body, _ = _load(data, end)
    except Exception:  # a corrupt file is a miss, never an error
        return (header if header_only else None), None
    return header, body if isinstance(body, dict) else None


def cache_path(cache_dir: Optional[str]) -> str:
    return os.path.join(cache_dir or DEFAULT_DIR, CACHE_FILE)


def cached_rule_codes(cache_dir: Optional[str] = None) -> Optional[tuple[str, ...]]:
    """The rule codes (`leaklint.rules.all_rules()`) that a cache written by
    this very code recorded; None if there is none."""
    try:
        header, _ = _read(cache_path(cache_dir), header_only=True)
        if header is None or header["fingerprint"] != code_fingerprint():
            return None
        codes = header.get("rules")
        if isinstance(codes, tuple) and codes and all(isinstance(c, str) for c in codes):
            return codes
    except Exception:
        pass
    return None


# -- the cache of one run -------------------------------------------------------------------------


class ResultCache:
    """The entries of one configuration, loaded once; new entries are written by `save`."""

    def __init__(self, cache_dir: Optional[str], config_key: str) -> None:
        self.directory = cache_dir or DEFAULT_DIR
        self.path = cache_path(cache_dir)
        self.config_key = config_key
        self.fingerprint = code_fingerprint()
        self.rule_codes: Optional[tuple[str, ...]] = None
        self.files: dict[str, tuple] = {}
        self.changed: dict[str, tuple] = {}  # entries written by this run
        self.used: set[tuple] = set()  # the `later` keys of this run
        header, body = _read(self.path)
        if header is not None and header.get("fingerprint") == self.fingerprint:
            codes = header.get("rules")
            self.rule_codes = codes if isinstance(codes, tuple) else None
            section = (body or {}).get(config_key)
            if isinstance(section, dict) and isinstance(section.get("files"), dict):
                self.files = section["files"]

    # entries: (hash, path, module, first, later)

    def lookup(self, key: str, path: str, module: str, content: bytes) -> Optional[tuple]:
        entry = self.changed.get(key) or self.files.get(key)
        if (
            isinstance(entry, tuple)
            and len(entry) == 5
            and entry[0] == content
            and entry[1] == path
            and entry[2] == module
            and isinstance(entry[4], dict)
        ):
            return entry
        return None

    def lookup_key(self, key: str) -> Optional[tuple]:
        """The entry of a file that `lookup` found or `store_first` stored in this run."""
        return self.changed.get(key) or self.files.get(key)

    def store_first(self, key: str, path: str, module: str, content: bytes, first: dict) -> None:
        self.changed[key] = (content, path, module, first, {})

    def use(self, summaries_key: tuple) -> None:
        """A later pass of this run looks up this key (the others are stale)."""
        self.used.add(summaries_key)

    def store_later(self, key: str, summaries_key: tuple, value: object) -> None:
        entry = self.changed.get(key)
        if entry is None:
            entry = self.files.get(key)
            if not isinstance(entry, tuple) or len(entry) != 5 or not isinstance(entry[4], dict):
                return
            entry = entry[:4] + (dict(entry[4]),)  # the loaded entry stays as it was read
            self.changed[key] = entry
        entry[4][summaries_key] = value

    def save(self, rule_codes: Optional[tuple[str, ...]] = None) -> None:
        """Merge this run's entries into the file on disk, atomically. Never raises."""
        if not self.changed and (rule_codes is None or rule_codes == self.rule_codes):
            return
        try:
            self._save(rule_codes or self.rule_codes)
        except Exception:  # a cache that cannot be written is no cache, not an error
            pass

    def _save(self, rule_codes: Optional[tuple[str, ...]]) -> None:
        _make_directory(self.directory)
        header, body = _read(self.path)  # what other runs wrote meanwhile
        if header is None or header.get("fingerprint") != self.fingerprint or body is None:
            body = {}
        if rule_codes is None and header is not None and header.get("fingerprint") == self.fingerprint:
            rule_codes = header.get("rules")
        section = body.get(self.config_key)
        files = dict(section["files"]) if isinstance(section, dict) and isinstance(section.get("files"), dict) else {}
        for key in list(files):
            if key not in self.changed and not os.path.exists(key):
                del files[key]  # the file is gone
        for key, entry in self.changed.items():
            # later passes under summaries this run no longer has are stale
            files[key] = entry[:4] + ({k: v for k, v in entry[4].items() if k in self.used},)
        body[self.config_key] = {"stamp": time.time(), "files": files}
        if len(body) > MAX_CONFIGS:
            newest = sorted(body, key=lambda k: _stamp(body[k]), reverse=True)[:MAX_CONFIGS]
            body = {k: body[k] for k in newest}
        data = (
            MAGIC
            + pickle.dumps({"fingerprint": self.fingerprint, "rules": rule_codes}, protocol=PROTOCOL)
            + pickle.dumps(body, protocol=PROTOCOL)
        )
        _write_atomically(self.path, data)


def _stamp(section: Any) -> float:
    stamp = section.get("stamp") if isinstance(section, dict) else None
    return stamp if isinstance(stamp, (int, float)) else 0.0


def _make_directory(directory: str) -> None:
    """The cache directory, with a `.gitignore` that ignores all of it."""
    os.makedirs(directory, exist_ok=True)
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        _write_atomically(ignore, GITIGNORE.encode("utf-8"))


def _write_atomically(path: str, data: bytes) -> None:
    import tempfile

    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
