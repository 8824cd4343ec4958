"""Run flake8 as if some plugins were not installed.

flake8 runs every installed plugin whatever --select says and only
filters their reports, so --select cannot take a plugin's cost out of a
run: the plugin has to be left unloaded.  This measures flake8 without a
plugin while the plugin stays installed.

Usage: python benchmarks/flake8_without.py NAME[,NAME...] [flake8 arguments]
where NAME is an entry point name of the flake8.extension group (LKL).
"""

from __future__ import annotations

import os
import sys

from flake8.main.cli import main as flake8_main
from flake8.plugins import finder

# Workers that do not fork (spawn, forkserver) re-import this module and
# look the plugins up again: the environment carries the names to them.
_ENV = "FLAKE8_WITHOUT_PLUGINS"
_find_plugins = finder.find_plugins


def _find_plugins_without(cfg, opts):
    dropped = set(filter(None, os.environ.get(_ENV, "").split(",")))
    found = _find_plugins(cfg, opts)
    return [plugin for plugin in found if plugin.entry_point.name not in dropped]


finder.find_plugins = _find_plugins_without


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    os.environ[_ENV] = sys.argv[1]
    return flake8_main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
