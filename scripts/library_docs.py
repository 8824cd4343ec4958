"""Write docs/libraries.md from the catalogue: what each library's calls
acquire, how the result is released, what `with`/`async with` does, what
must be awaited, and the release and files the facts were read from.

    .venv/bin/python scripts/library_docs.py          # rewrite the page
    .venv/bin/python scripts/library_docs.py --check  # exit 1 if it is stale

The page is generated so that it can never disagree with the data;
tests/test_library_docs.py fails when it was not regenerated.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leaklint.catalogue import LIBRARIES, Acquire, Await, Awaiting, Catalogue, Exit, Kind, Library, default_catalogue, exit_of
from leaklint.catalogue.model import ITEMS

PAGE = Path(__file__).resolve().parent.parent / "docs" / "libraries.md"

HEADER = """# Libraries leaklint knows

Generated from the catalogue (`linter/catalogue/libraries/`) by
`scripts/library_docs.py`; do not edit by hand. Each library's facts were
read from the source of the release named under it (its `__exit__`,
`__aexit__`, `close()` and pool code), in the files listed. Where a fact
differs between releases, the notes say for which releases it holds.

Columns: **awaited?** whether the call itself must be awaited (*awaitable*:
await it or enter it with `async with`; *with only*: it acquires nothing
unless entered); **release** what gives the resource back; **with** and
**async with** what leaving the block does (*closes*, *returns it* to the
pool, *transaction only*: commits or rolls back and leaves it open, *–*: not
a context manager of that kind).

Resources that only pass through a library (a client-side cursor) are marked
*borrowed*: they need no release of their own.
"""

EXIT_WORDS = {Exit.CLOSES: "closes", Exit.RELEASES: "returns it", Exit.TXN_ONLY: "transaction only", Exit.NONE: "–"}
AWAIT_WORDS = {Await.NO: "no", Await.COROUTINE: "yes", Await.AWAITABLE: "awaitable", Await.CM_ONLY: "with only", Await.EITHER: "either"}


def render(libraries: tuple[Library, ...] = LIBRARIES, catalogue: Catalogue | None = None) -> str:
    catalogue = catalogue or default_catalogue()
    parts = [HEADER]
    for library in libraries:
        parts.append(_library(library, catalogue))
    return "\n".join(parts).rstrip() + "\n"


def _library(library: Library, catalogue: Catalogue) -> str:
    lines = [f"## {library.name}", ""]
    modules = ", ".join(f"`{root}`" for root in library.module_roots)
    if library.verified:
        lines.append(f"Modules {modules}; facts read from **{library.verified}**" + (":" if library.sources else "."))
        lines.extend(f"- `{source}`" for source in library.sources)
    else:
        lines.append(f"Modules {modules}; recognised by name only (no single library).")
    lines.append("")
    if library.version_notes:
        lines.append("| releases | fact |")
        lines.append("| --- | --- |")
        lines.extend(f"| {note.versions} | {note.fact} |" for note in library.version_notes)
        lines.append("")
    lines.append("| call | gives | awaited? | release | with | async with |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for call, acquire in _calls(library, catalogue):
        lines.append(_row(call, acquire, catalogue))
    lines.append("")
    return "\n".join(lines)


def _calls(library: Library, catalogue: Catalogue):
    for name, acquire in library.functions.items():
        yield f"`{name}()`", acquire
    for kind in library.kinds:
        kind = catalogue.kind(kind.name)
        for method, acquires in kind.methods.items():
            for acquire in acquires:
                yield f"{kind.label} `.{method}()`", acquire
        if kind.call is not None:
            yield f"calling a {kind.label}", kind.call


def _row(call: str, acquire: Acquire, catalogue: Catalogue) -> str:
    kind = catalogue.kind(acquire.kind)
    gives = kind.label + (" (streamed)" if acquire.stream else "") + ("" if kind.owned or acquire.stream else " (borrowed)")
    if acquire.part is not None:
        gives = f"a tuple; its element {acquire.part}: {gives}"
    adopted = [f"argument {i + 1}" for i in acquire.adopts_at] + [f"`{k}=`" for k in acquire.adopts]
    if adopted:
        gives += "; takes over " + " or ".join(adopted)
    for made_by, attribute in kind.derived.items():
        made = "`x[name]`" if made_by == ITEMS else f"`.{made_by}()`"
        gives += f"; {made} keeps it as `.{attribute}`"
    if kind.returns_receiver:
        gives += "; `" + "()`, `".join(f".{m}" for m in kind.returns_receiver) + "()` gives it back"
    if acquire.when is not None:
        call += " " + _condition(acquire)
    awaited = acquire.awaiting is Await.COROUTINE
    with_exit = exit_of(acquire, kind, asynchronous=False, awaited=awaited)
    async_exit = exit_of(acquire, kind, asynchronous=True, awaited=awaited)
    return f"| {call} | {gives} | {AWAIT_WORDS[acquire.awaiting]} | {_release(acquire, kind)} | {EXIT_WORDS[with_exit]} | {EXIT_WORDS[async_exit]} |"


def _condition(acquire: Acquire) -> str:
    when = acquire.when
    if when.keyword and when.endswith:
        return f"with `{when.keyword}=…{when.endswith}`"
    if when.keyword and when.truthy:
        return f"with `{when.keyword}=True`"
    if when.keyword and when.mentions:
        return f"with `{when.mentions}` in `{when.keyword}`"
    return f"with `{when.keyword}`" if when.keyword else "(conditional)"


def _release(acquire: Acquire, kind: Kind) -> str:
    words = [f"`{_await(r.awaiting)}{r.method}()`" for r in kind.releases]
    words += [f"`{_await(r.awaiting)}<acquirer>.{r.method}(x)`" for r in acquire.returned_by]
    if kind.closes_without_returning and acquire.returned_by:
        words.append("(its own `" + "`, `".join(kind.closes_without_returning) + "()` keeps the slot)")
    return ", ".join(words) or "–"


def _await(awaiting: Awaiting) -> str:
    return {Awaiting.ASYNC: "await ", Awaiting.OPTIONAL: "[await] ", Awaiting.MIRROR: "[await] "}.get(awaiting, "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/libraries.md is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is stale: run scripts/library_docs.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
