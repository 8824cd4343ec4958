"""Output formats: full text (source line, marker, note, help, summary),
colour only on a terminal, escaping, concise, statistics, JSON, SARIF 2.1.0,
GitHub annotations, the progress bar, and the rule pages."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest

from leaklint import check_run
from leaklint.cli import main
from leaklint.diagnostics import Diagnostic, Edit, Fix
from leaklint.output.github import write_github
from leaklint.rules import all_rules

ANSI = re.compile(r"\x1b\[[0-9;]*m")

SAMPLE = '''\
import sqlite3


def never_closed(path):
    conn = sqlite3.connect(path)
    return conn.execute("select 1").fetchall()


def not_guaranteed(path):
    conn = sqlite3.connect(path)
    conn.execute("select 1")
    conn.close()


def early_exit(path, cached):
    conn = sqlite3.connect(path)
    try:
        if cached:
            return cached
        rows = conn.execute("select 1").fetchall()
    except Exception:
        conn.close()
        raise
    conn.close()
    return rows


def txn_only(path):
    with sqlite3.connect(path) as conn:
        conn.execute("select 1")
'''


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def sample(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "sample.py").write_text(SAMPLE, encoding="utf-8")
    return "sample.py"


def output(capsys, *args):
    status = main(["--isolated", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def blocks(text):
    return [block for block in text.split("\n\n") if block.strip()]


# -- full text ------------------------------------------------------------------------


def test_full_format_shows_the_source_line_and_a_marker_under_the_call(capsys, sample):
    status, out, _ = output(capsys, sample)
    assert status == 1
    first = blocks(out)[0].splitlines()
    assert first[0].startswith("sample.py:5:12: LKL101 ")
    assert "`conn` from `sqlite3.connect()`" in first[0]
    source = next(line for line in first if line.startswith("5 |"))
    marker = first[first.index(source) + 1]
    assert source == "5 |     conn = sqlite3.connect(path)"
    assert marker.index("^") == source.index("sqlite3.connect")
    assert marker.rstrip().endswith("^ LKL101")
    assert marker.count("^") == len("sqlite3.connect(path)")
    assert any(line.strip().startswith("= help:") for line in first)
    assert not ANSI.search(out)


def test_safe_fixes_are_marked(capsys, sample):
    _, out, _ = output(capsys, "--format", "concise", sample)
    lines = out.splitlines()
    assert lines[0].startswith("sample.py:5:12: LKL101 [*] ")  # used in one block: `--fix` wraps it
    assert lines[1].startswith("sample.py:10:12: LKL102 [*] ")


def test_note_points_at_the_acquire_line(capsys, sample):
    _, out, _ = output(capsys, sample)
    block = next(b for b in blocks(out) if ": LKL103 " in b).splitlines()
    assert block[0].startswith("sample.py:19:13: LKL103 ")
    numbered = [line.split("|")[0].strip() for line in block if re.match(r"^\s*\d+ \|", line)]
    assert numbered == ["16", "19"]
    note = block[[i for i, line in enumerate(block) if line.startswith("16 |")][0] + 1]
    assert note.endswith("acquired here") and "-" in note
    assert any(line.strip() == "..." for line in block)


def test_summary_counts_per_rule_and_fixable(capsys, sample):
    _, out, _ = output(capsys, sample)
    assert "Found 4 leaks (1 LKL101, 1 LKL102, 1 LKL103, 1 LKL104)." in out
    assert "[*] 4 fixable with `leaklint --fix`." in out


def test_quiet_prints_no_summary(capsys, sample):
    _, out, _ = output(capsys, "-q", sample)
    assert "Found" not in out and "LKL101" in out


def test_clean_run(capsys, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    status, out, _ = output(capsys, str(tmp_path / "ok.py"))
    assert (status, out) == (0, "No leaks found.\n")


def test_text_is_the_full_format(capsys, sample):
    assert output(capsys, "--format", "text", sample)[1] == output(capsys, sample)[1]


def test_colour_on_a_terminal_only(capsys, sample, monkeypatch):
    plain = output(capsys, sample)[1]
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    main(["--isolated", sample])
    coloured = terminal.getvalue()
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain  # the same text

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    main(["--isolated", sample])
    assert not ANSI.search(terminal.getvalue())


def test_control_characters_are_escaped(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = 'import sqlite3\n\n\ndef f():\n    conn = sqlite3.connect("\x1b[2J\x07")\n    return conn\n\n\ndef g():\n    sqlite3.connect("\x1b]0;title\x07")\n'
    (tmp_path / "evil.py").write_text(source, encoding="utf-8")
    (tmp_path / "evil\x1b[31m.py").write_text(source, encoding="utf-8")
    for args in (("evil.py",), ("--format", "concise", "evil\x1b[31m.py")):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stdout", terminal)
        main(["--isolated", *args])
        text = ANSI.sub("", terminal.getvalue())
        assert "\x07" not in text and "\x1b" not in text
        assert ("\\x1b]0;title\\x07" if args[0] == "evil.py" else "evil\\x1b[31m.py:10:5: LKL101") in text
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    _, out, _ = output(capsys, "evil.py")
    block = next(b for b in blocks(out) if ":10:" in b.splitlines()[0]).splitlines()
    source = next(line for line in block if line.startswith("10 |"))
    marker = block[block.index(source) + 1]
    assert marker.index("^") == source.index("sqlite3")
    assert marker.count("^") == len('sqlite3.connect("\\x1b]0;title\\x07")')


# -- concise, statistics ----------------------------------------------------------------------


def test_concise(capsys, sample):
    _, out, _ = output(capsys, "--format", "concise", sample)
    lines = out.splitlines()
    assert [line.split(" ")[0] for line in lines[:4]] == ["sample.py:5:12:", "sample.py:10:12:", "sample.py:19:13:", "sample.py:29:10:"]
    assert lines[4].startswith("Found 4 leaks")


def test_statistics(capsys, sample):
    status, out, _ = output(capsys, "--statistics", sample)
    assert status == 1
    assert out.splitlines() == [
        "1  LKL101  [*] resource-never-released",
        "1  LKL102  [*] release-not-guaranteed",
        "1  LKL103  [*] early-exit-skips-release",
        "1  LKL104  [*] non-closing-context-manager",
    ]


def test_statistics_as_json(capsys, sample):
    status, out, _ = output(capsys, "--statistics", "--format", "json", sample)
    assert status == 1
    assert json.loads(out)[:2] == [
        {"code": "LKL101", "name": "resource-never-released", "count": 1, "fixable": True, "fix": "safe"},
        {"code": "LKL102", "name": "release-not-guaranteed", "count": 1, "fixable": True, "fix": "safe"},
    ]


# -- each finding's own fix -------------------------------------------------------------------

MIXED = '''\
import sqlite3


def rows(path):
    db = sqlite3.connect(path)
    return db.execute("select 1").fetchall()


def cursors_for(path):
    db = sqlite3.connect(path)
    cur = db.cursor()
    return [cur]


def dropped(path):
    sqlite3.connect(path)
'''


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    """Three LKL101: a safe fix, an unsafe one, none."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mixed.py").write_text(MIXED, encoding="utf-8")
    return "mixed.py"


def test_the_same_rule_is_labelled_per_finding(capsys, mixed):
    _, out, _ = output(capsys, "--format", "concise", mixed)
    lines = out.splitlines()
    assert lines[0].startswith("mixed.py:5:10: LKL101 [*] ")
    assert lines[1].startswith("mixed.py:10:10: LKL101 [-] ")
    assert lines[2].startswith("mixed.py:16:5: LKL101 the sqlite3 connection")
    assert lines[4] == "[*] 1 fixable with `leaklint --fix`; [-] 1 more with `leaklint --fix --unsafe-fixes`."


def test_an_unsafe_fix_says_why_and_how(capsys, mixed):
    _, out, _ = output(capsys, mixed)
    unsafe = next(b for b in blocks(out) if ":10:10:" in b.splitlines()[0])
    (help_line,) = [line for line in unsafe.splitlines() if "= help:" in line]
    assert "with closing(sqlite3.connect(path)) as db:" in help_line
    assert "(unsafe: `[cur]` at line 12 comes from the resource and may outlive it; only `--fix --unsafe-fixes` applies it)" in help_line
    dropped = next(b for b in blocks(out) if ":16:5:" in b.splitlines()[0])
    assert "= help" not in dropped  # no fix, and without --show-fixes no line about it


def test_show_fixes(capsys, mixed):
    _, out, _ = output(capsys, "--format", "concise", "--show-fixes", mixed)
    lines = out.splitlines()
    assert lines[1].startswith("  = fix: wrap the uses of `db` in `with closing(sqlite3.connect(path)) as db:`")
    assert lines[3].startswith("  = unsafe fix: wrap the uses of `db` in ")
    assert lines[3].endswith(" (`[cur]` at line 12 comes from the resource and may outlive it; only `--fix --unsafe-fixes` applies it)")
    assert lines[5].startswith("  = no fix: the result of `sqlite3.connect()` is dropped")
    _, full, _ = output(capsys, "--show-fixes", mixed)
    assert [line.split(":")[0].strip() for line in full.splitlines() if line.lstrip().startswith("= ")] == ["= fix", "= unsafe fix", "= no fix"]


def test_statistics_count_each_fix(capsys, mixed):
    _, out, _ = output(capsys, "--statistics", mixed)
    assert out.splitlines() == ["3  LKL101  [*] resource-never-released (1 [*], 1 [-], 1 without a fix)"]


def test_json_fix_per_finding(capsys, mixed):
    from leaklint.fixes.edits import apply_edits

    _, out, _ = output(capsys, "--format", "json", mixed)
    safe, unsafe, none = json.loads(out)
    assert none["fix"] is None
    assert (safe["fix"]["safety"], unsafe["fix"]["safety"]) == ("safe", "unsafe")
    assert safe["fix"]["description"].startswith("wrap the uses of `db` in `with closing(")
    edits = [Edit(e["line"], e["end_line"], e["content"]) for e in safe["fix"]["edits"]]
    fixed = apply_edits(MIXED, tuple(edits))
    assert "import sqlite3\nfrom contextlib import closing\n" in fixed
    assert '    with closing(sqlite3.connect(path)) as db:\n        return db.execute("select 1").fetchall()\n' in fixed


def test_sarif_fixes_per_finding(capsys, mixed):
    _, out, _ = output(capsys, "--format", "sarif", mixed)
    safe, unsafe, none = json.loads(out)["runs"][0]["results"]
    assert "fixes" not in none and none["properties"]["fix"] is None
    (fix,) = safe["fixes"]
    assert fix["properties"]["safety"] == "safe" and fix["description"]["text"].startswith("wrap the uses of `db`")
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "mixed.py", "uriBaseId": "%SRCROOT%"}
    inserted = [r for r in change["replacements"] if r["deletedRegion"]["startLine"] == r["deletedRegion"]["endLine"]]
    assert inserted[0]["insertedContent"]["text"] == "from contextlib import closing\n"
    assert unsafe["fixes"][0]["properties"]["safety"] == "unsafe" and "unsafe:" in unsafe["fixes"][0]["description"]["text"]


# -- machine formats ---------------------------------------------------------------------------


def test_json_contract(capsys, sample):
    status, out, _ = output(capsys, "--format", "json", sample)
    data = json.loads(out)
    assert status == 1 and len(data) == 4
    for item in data:
        assert {"code", "name", "message", "path", "line", "column", "end_line", "end_column", "fix"} <= set(item)
        assert item["path"] == "sample.py"
        assert item["fix"] is None or item["fix"]["safety"] in ("safe", "unsafe")


def test_sarif(capsys, sample):
    status, out, _ = output(capsys, "--format", "sarif", sample)
    log = json.loads(out)
    assert status == 1
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "leaklint" and driver["version"]
    rules = driver["rules"]
    assert {r["id"] for r in rules} >= set(all_rules())
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"] and rule["name"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    by_id = {r["id"]: r for r in rules}
    assert by_id["LKL102"]["properties"]["fix"]["safety"] == "safe"
    assert "finally" in by_id["LKL102"]["properties"]["fix"]["description"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["LKL101", "LKL102", "LKL103", "LKL104"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error" and result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "sample.py", "uriBaseId": "%SRCROOT%"}
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    early = results[2]
    assert early["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 16
    assert early["properties"]["fix"]["description"]


def test_sarif_paths_are_relative_to_the_repository_from_a_subfolder(capsys, tmp_path, monkeypatch):
    service = tmp_path / "services" / "billing"
    service.mkdir(parents=True)
    (tmp_path / ".git").mkdir()  # the repository's root: what code scanning resolves paths against
    (service / "sample.py").write_text(SAMPLE, encoding="utf-8")
    monkeypatch.chdir(service)
    status, out, _ = output(capsys, "--format", "sarif", "sample.py")
    run = json.loads(out)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "services/billing/sample.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_with_no_findings_is_still_a_log(capsys, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    status, out, _ = output(capsys, "--format", "sarif", str(tmp_path / "ok.py"))
    log = json.loads(out)
    assert status == 0 and log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"]


def test_github_annotations(capsys, sample):
    _, out, _ = output(capsys, "--format", "github", sample)
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("::error title=leaklint (LKL101),file=sample.py,line=5,col=12,endLine=5,endColumn=")
    assert "::sample.py:5:12: LKL101 " in lines[0]


def test_github_escapes_properties_and_data():
    d = Diagnostic("a,b:c%.py", 1, 2, "LKL101", "50% of\nit", name="x", end_line=1, end_column=3, fix=Fix("unsafe", ""))
    out = io.StringIO()
    write_github([d], out)
    line = out.getvalue()
    assert "file=a%2Cb%3Ac%25.py," in line
    assert line.endswith("::a,b:c%25.py:1:2: LKL101 50%25 of%0Ait\n")


def test_output_file(capsys, sample, tmp_path):
    status, out, _ = output(capsys, "--format", "json", "--output-file", str(tmp_path / "report.json"), sample)
    assert status == 1 and out == ""
    assert len(json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))) == 4


# -- progress ---------------------------------------------------------------------------------------


def test_progress_bar_on_a_terminal_for_large_runs_only(capsys, tmp_path, monkeypatch):
    for number in range(check_run.PROGRESS_THRESHOLD):
        (tmp_path / f"m{number}.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "sample.py").write_text(SAMPLE, encoding="utf-8")
    monkeypatch.delenv("TERM", raising=False)
    plain = output(capsys, "--format", "concise", str(tmp_path))
    assert plain[2] == ""  # stderr is not a terminal: no bar
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    status = main(["--isolated", "--format", "concise", str(tmp_path)])
    assert status == 1
    assert capsys.readouterr().out == plain[1]  # stdout is untouched by the bar
    assert stderr.getvalue()  # the bar drew on stderr


# -- rule pages ----------------------------------------------------------------------------------------


def test_rules_lists_codes_names_and_fixability(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for code, rule in all_rules().items():
        line = next(line for line in out.splitlines() if line.startswith(code))
        assert rule.name in line and (rule.fix_safety or "-") in line
    assert "LKL900" in out


def test_rules_json(capsys):
    assert main(["rules", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["code"] for r in rows} >= set(all_rules())


def test_rule_prints_its_page(capsys):
    from leaklint.output.docs import rule_page

    documented = [code for code, rule in all_rules().items() if rule_page(code, rule.name)]
    if not documented:
        pytest.skip("docs/rules/ has no rule page yet")
    code = documented[0]
    assert main(["rule", code]) == 0
    out = capsys.readouterr().out
    assert code in out and all_rules()[code].name in out
    assert main(["rule", all_rules()[code].name]) == 0  # by name too


def test_rule_without_a_page_fails_cleanly(capsys, monkeypatch):
    import leaklint.output.docs

    monkeypatch.setattr(leaklint.output.docs, "rule_page", lambda code, name="": None)
    assert main(["rule", "LKL101"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and "LKL101" in captured.err


def test_unknown_rule(capsys):
    assert main(["rule", "LKL999"]) == 2
    assert "LKL999" in capsys.readouterr().err


def test_rule_pages_are_read_from_the_package(tmp_path, monkeypatch):
    from leaklint.output import docs

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "LKL101.md").write_text("# LKL101: resource-never-released\n", encoding="utf-8")
    monkeypatch.setattr("importlib.resources.files", lambda package: pages)
    assert docs.rule_page("LKL101", "resource-never-released").startswith("# LKL101")
    assert docs.rule_page("LKL102", "release-not-guaranteed") is None


# -- the output layer stands apart from the analysis ------------------------------------------------

ANALYSIS_MODULES = ("libcst", "leaklint.rulebase", "leaklint.analysis", "leaklint.flow", "leaklint.calls", "leaklint.resolve", "leaklint.rules")
EVERY_FORMAT = '''
import io, sys
from leaklint.diagnostics import Diagnostic, Edit, Fix
from leaklint.reporters import FORMATS, ReportOptions, report
from leaklint.ruleinfo import FixSafety, RuleFix, RuleInfo
from leaklint.output.text import Printer, write_rules

rule = RuleInfo("LKL101", "resource-never-released", "summary", RuleFix(FixSafety.UNSAFE, "wrap it in `with`", ("release-region",)))
fix = Fix("unsafe", "wrap it in `with`", "the cursor outlives it", (Edit(5, 6, "    with x:\\n"),))
found = [Diagnostic("sample.py", 5, 12, "LKL101", "message", name=rule.name, fix=fix), Diagnostic("sample.py", 9, 1, "LKL105", "m")]
for fmt in FORMATS:
    report(found, io.StringIO(), ReportOptions(format=fmt, show_fixes=True), rules={rule.code: rule}, version="0")
write_rules([rule], Printer(io.StringIO(), False), {})
print("\\n".join(sorted(sys.modules)))
'''


def test_the_output_layer_imports_no_analysis(tmp_path):
    """The reporters get the rules' metadata from the command line; rendering
    every format must not pull in LibCST, the rules or the analysis."""
    (tmp_path / "sample.py").write_text(SAMPLE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", EVERY_FORMAT], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.split()
    assert "leaklint.output.sarif" in loaded and "leaklint.reporters" in loaded
    assert [m for m in loaded if any(m == name or m.startswith(name + ".") for name in ANALYSIS_MODULES)] == []
