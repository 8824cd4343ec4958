"""docs/libraries.md is generated from the catalogue and must match it."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "library_docs.py"


def _script():
    spec = importlib.util.spec_from_file_location("library_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_library_page_is_up_to_date():
    script = _script()
    assert script.PAGE.read_text(encoding="utf-8") == script.render(), "run scripts/library_docs.py"


def test_every_library_has_a_section():
    script = _script()
    text = script.render()
    for library in script.LIBRARIES:
        assert f"\n## {library.name}\n" in text
