"""`flake8 --select LKL`: a thin adapter that hands flake8's lines to the
engine (the way flake8-async parses with LibCST inside its plugin).

flake8 decides what is reported: `--select`/`--ignore`/`--extend-select`,
`--per-file-ignores` and `# noqa` on the reported line are flake8's own.
The plugin applies leaklint's inline suppressions on top (`# leaklint:
ignore[...]`, and a `# noqa` on the first line of a multi-line statement),
unless flake8 runs with `--disable-noqa`, and skips a file with
`# leaklint: skip-file` as flake8 skips one with `# flake8: noqa`. The user resources of the nearest
`[tool.leaklint]` (or of `--leaklint-config PATH`) extend the catalogue as
they do for the `leaklint` command.

flake8 hands over one file at a time; the plugin lints the files of the
flake8 run together once (`leaklint.flake8_project`), so a factory in one
module and its callers in another are found as `leaklint` finds them, when
both are part of the run.
"""
from __future__ import annotations

import functools
import os
from typing import Any, Iterator, Optional

from . import __version__, suppressions
from .engine import Linter
from .flake8_project import files_of_the_run, jobs_of, project_run
from .passes import InProcess, lint_project
from .source import Source

Report = tuple[int, int, str, type]


@functools.lru_cache(maxsize=4)
def _linter(config_path: Optional[str], cwd: str) -> Linter:
    """One linter per configuration and process (flake8's workers each build theirs)."""
    from .config import load_config
    from leaklint.rules import all_rules

    config = load_config(config_path, start=cwd, known_codes=[*all_rules(), suppressions.UNUSED_CODE])
    return Linter.for_config(config, label_fixes=False)  # flake8 shows no fix labels


class Plugin:
    name = "leaklint"
    version = __version__

    config_path: Optional[str] = None
    inline_suppressions = True
    run_files: tuple[str, ...] = ()  # the files flake8 checks in this run

    def __init__(self, tree: Any, lines: list[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--leaklint-config",
            default=None,
            parse_from_config=True,
            help="the pyproject.toml with [tool.leaklint] resources (default: the nearest one)",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        from .config import ConfigError

        cls.config_path = getattr(options, "leaklint_config", None)
        cls.inline_suppressions = not getattr(options, "disable_noqa", False)
        cls.run_files = files_of_the_run(options)
        try:
            linter = _linter(cls.config_path, os.getcwd())
        except ConfigError as error:  # a broken configuration stops the run, as in `leaklint`
            raise SystemExit(f"leaklint: {error}") from None
        project_run(linter, cls.run_files, jobs_of(options))

    def run(self) -> Iterator[Report]:
        text = "".join(self.lines)
        if self.inline_suppressions and suppressions.skips_file(text):  # flake8 handles its own file-level noqa comment
            return
        newline = "\r\n" if "\r\n" in text else "\n"
        source = Source(text=text, encoding="utf-8", bom=False, newline=newline, raw=text.encode("utf-8", "surrogatepass"))
        linter = _linter(self.config_path, os.getcwd())
        project = project_run(linter, self.run_files)
        result = project.result_for(self.filename, source) if project is not None else None
        if result is None:  # the file alone: its own module's helpers are known
            (result,) = lint_project(InProcess(linter, [self.filename], sources=[source])).files
        if result.errors:
            error = result.errors[0]
            raise RuntimeError(f"leaklint internal error in {error.rule} on {error.path}; please report it with this file:\n{error.detail}")
        diagnostics = result.diagnostics
        if diagnostics and self.inline_suppressions:
            diagnostics = suppressions.apply(diagnostics, suppressions.parse(text))
        for d in diagnostics:
            yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)
