"""`leaklint server`: a language server over stdio (docs/editors.md).

    adapter      every call into leaklint's engine, runner, fixer and configuration
    projects     which project a document belongs to; the summaries in force there
    linting      when documents are linted and published; project scans
    diagnostics  findings as LSP diagnostics
    fixes        fix outcomes per document version, on their own thread
    actions      quick fixes, `# noqa`, fix all
    noqa         the `# noqa` edit
    hover        a finding's rule and fix
    text         positions in a snapshot of a document
    log          problems said once
    server       the LSP handlers
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import logging
import os
import sys
from typing import Sequence

EXIT_ERROR = 2
YOUNG_COLLECTION_EVERY = 50_000  # allocations; Python's default is 700


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="leaklint server", description="Run the leaklint language server over stdin and stdout.")
    parser.add_argument("--stdio", action="store_true", help="accepted for clients that pass it; stdio is the only transport")
    parser.parse_args(argv)
    if importlib.util.find_spec("pygls") is None:
        sys.stderr.write("leaklint: `leaklint server` needs pygls: pip install 'leaklint[lsp]'\n")
        return EXIT_ERROR
    from .server import build_server

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="leaklint server: %(levelname)s: %(name)s: %(message)s")
    server = build_server()
    # A lint allocates hundreds of thousands of small objects that reference
    # counting frees; collecting the young generation every 700 of them cost
    # a fifth of each lint. What is loaded by now lives as long as the server.
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    gc.freeze()
    server.start_io()
    # The client has gone: scans may still be running in worker processes, and waiting for them would keep the editor's process alive.
    sys.stderr.flush()
    os._exit(0)
