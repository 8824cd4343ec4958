"""What standard-library calls do with a resource handed to them: take it
over, register its release for later, store it, await it, or run it in a
thread. The flow analysis reads these to tell a hand-off from a leak."""
from __future__ import annotations

# `closing(conn)` / `aclosing(conn)`: close their argument when the block exits.
CLOSING_CALLS = frozenset({"contextlib.closing", "contextlib.aclosing"})
# Calls that take over a resource given as an argument (the resource is then
# released by them, or by the stack they belong to).
OWNING_CALLS = CLOSING_CALLS | {"contextlib.nullcontext"}
# `stack.enter_context(cm)`: gives what entering `cm` gives.
ENTERING_METHODS = frozenset({"enter_context", "enter_async_context"})
OWNING_METHODS = ENTERING_METHODS | {"push", "push_async_exit"}
# Calls that register a release to run later: `stack.callback(conn.close)`.
REGISTERING_METHODS = frozenset(
    {"callback", "push_async_callback", "addCleanup", "addAsyncCleanup", "addfinalizer", "register"}
)
REGISTERING_CALLS = frozenset({"atexit.register", "weakref.finalize"})
# Methods that store their argument in a container (a hand-off).
STORING_METHODS = frozenset(
    {"append", "appendleft", "add", "insert", "extend", "put", "put_nowait", "setdefault", "update", "push"}
)
# Methods whose result keeps its receiver reachable, and the attribute that
# does (PEP 249's optional `Cursor.connection`, which sqlite3, psycopg2,
# psycopg, PyMySQL, mysqlclient and pyodbc all set): returning `conn.cursor()`
# hands `conn` off with the cursor, and its holder releases `cur.connection`.
REACHED_THROUGH = {"cursor": "connection"}
# Awaiting these awaits their first argument and gives its result.
AWAIT_PASS_THROUGH = frozenset({"asyncio.wait_for", "asyncio.shield"})
# Calls through which an awaited acquire or release counts as awaited.
AWAIT_WRAPPERS = AWAIT_PASS_THROUGH | {"asyncio.gather", "asyncio.timeout"}
# What these give stands for their first argument (`with closing(conn) as c`: `c` is `conn`).
PASS_THROUGH_CALLS = AWAIT_PASS_THROUGH | CLOSING_CALLS
# Callables that run their argument in a thread: sync I/O there is fine.
THREAD_RUNNERS = frozenset({"asyncio.to_thread", "to_thread", "run_in_executor", "run_sync"})
# Calls that run a callable later, in a thread, a process or a task, with
# arguments given along: `Thread(target=f, args=(conn,))` passes `conn` to
# `f`, whose summary decides what becomes of it. Each entry: (the callable's
# position, its keyword, the arguments' keyword; None: the positional
# arguments after the callable are the arguments).
FORWARDING_CALLS = {
    "threading.Thread": (None, "target", "args"),
    "multiprocessing.Process": (None, "target", "args"),
    "threading.Timer": (1, "function", "args"),
    "asyncio.to_thread": (0, "func", None),
}
FORWARDING_METHODS = {
    "submit": (0, "fn", None),  # `executor.submit(f, conn)`
    "run_in_executor": (1, "func", None),  # `loop.run_in_executor(None, f, conn)`
}
# Calls that build a context manager and do nothing that can fail: not a
# call that "raises" between an acquisition and its release.
NON_RAISING_CALLS = frozenset(
    {"contextlib.suppress", "contextlib.nullcontext", "contextlib.closing", "contextlib.aclosing", "contextlib.ExitStack", "contextlib.AsyncExitStack"}
)
