"""Every fixture's diagnostics are exactly the ones it marks."""
from __future__ import annotations

import pytest

from harness import FIXTURES, actual_findings, expected_findings, lint_units


def _id(unit):
    return str(unit[0].relative_to(FIXTURES).parent if len(unit) > 1 else unit[0].relative_to(FIXTURES))


@pytest.mark.parametrize("unit", lint_units(), ids=_id)
def test_fixture(unit):
    actual = actual_findings(unit)
    for path in unit:
        expected = expected_findings(path)
        missing = sorted(expected - actual[path])
        extra = sorted(actual[path] - expected)
        assert not missing and not extra, f"{path.name}: missing {missing}, unexpected {extra}"


def test_harness_sees_markers():
    units = lint_units()
    # the fixture tree marks hundreds of findings; a harness that read none would pass everything
    assert sum(len(expected_findings(p)) for unit in units for p in unit) > 200
