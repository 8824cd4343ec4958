"""How long `leaklint server` takes to publish diagnostics after a change.

Starts the real server over stdio, opens a generated module of about
3,000 lines (database code with leaks between plain functions), then edits
one line at a time and measures from sending each `didChange` to receiving
the diagnostics for that version. The time includes the server's debounce
(`leaklint.lsp.linting.DEBOUNCE_SECONDS`). On a machine whose cores are
busy with other work the wall time grows; the CPU time the server spent on
each change (from /proc, on Linux) does not.

Usage: .venv/bin/python benchmarks/lsp_latency.py [--lines 3000] [--edits 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "leaky_service.py"
PLAIN = '''

def summarise_{n}(items, factor):
    """Plain computation, no resources."""
    total = 0
    for item in items:
        if item.weight > factor:
            total += item.weight * factor
        else:
            total -= item.weight
    return {{"total": total, "count": len(items), "label": "{n}"}}
'''


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far; 0 where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def module(lines: int) -> str:
    """The example service's functions, renamed, every tenth block; plain functions between."""
    head, functions = EXAMPLE.read_text(encoding="utf-8").split("log = logging.getLogger(__name__)\n")
    parts = [head, "log = logging.getLogger(__name__)\n"]
    n = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(functions.replace("def ", f"def v{n}_") if n % 10 == 0 else PLAIN.format(n=n))
        n += 1
    return "".join(parts)


async def measure(lines: int, edits: int) -> tuple[list[float], list[float]]:
    """(wall seconds, server CPU seconds) of each edit."""
    client = LanguageClient("lsp-latency", "1")
    arrived: dict[int, float] = {}
    findings: dict[int, int] = {}
    publication = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived.setdefault(params.version, time.perf_counter())
            findings[params.version] = len(params.diagnostics)
            publication.set()

    async def wait_for(version: int) -> None:
        while version not in arrived:
            publication.clear()
            await publication.wait()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "service.py"
        text = module(lines)
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        await client.start_io(sys.executable, "-m", "leaklint", "server")
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=Path(folder).as_uri()))
        client.initialized(types.InitializedParams())
        document = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=document))
        await asyncio.wait_for(wait_for(1), 60)
        print(f"{text.count(chr(10))} lines, {findings[1]} diagnostics")
        target = text.splitlines().index('    return {"total": total, "count": len(items), "label": "1"}')
        pid = client._server.pid  # the server process pygls started
        latencies, cpu = [], []
        for version in range(2, edits + 2):
            line = f'    return {{"total": total, "count": len(items), "label": "edit {version}"}}'
            whole_line = types.Range(start=types.Position(line=target, character=0), end=types.Position(line=target + 1, character=0))
            change = types.TextDocumentContentChangePartial(range=whole_line, text=line + "\n")
            sent, used = time.perf_counter(), cpu_seconds(pid)
            document_version = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
            client.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document_version, content_changes=[change]))
            await asyncio.wait_for(wait_for(version), 60)
            latencies.append(arrived[version] - sent)
            cpu.append(cpu_seconds(pid) - used)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return latencies, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    latencies, cpu = asyncio.run(measure(args.lines, args.edits))
    ms = sorted(round(latency * 1000) for latency in latencies)
    print(f"change -> diagnostics: median {statistics.median(ms):.0f} ms, min {ms[0]} ms, max {ms[-1]} ms ({len(ms)} edits)")
    print(f"server CPU per change: median {statistics.median(cpu) * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
