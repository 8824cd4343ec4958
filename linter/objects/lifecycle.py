"""The roles methods play in an object's life, by name (the contract's lists)."""
from __future__ import annotations

# Methods that run before the object holds anything: storing a new resource
# there overwrites nothing (LKL105 does not apply).
LIFECYCLE_METHODS = frozenset(
    {
        "__init__",
        "__post_init__",
        "__enter__",
        "__aenter__",
        "setUp",
        "asyncSetUp",
        "setUpClass",
        "connect",
        "open",
        "start",
        "startup",
        "setup",
        "initialize",
        # pytest's xunit-style setup runs before each test, as `setUp` does
        "setup_method",
        "setup_class",
    }
)

# Methods whose job is to release what the object holds (LKL108 checks them).
CLEANUP_METHODS = frozenset(
    {"__exit__", "__aexit__", "close", "aclose", "disconnect", "shutdown", "stop", "tearDown", "asyncTearDown"}
)

# `__enter__` -> the method that runs only when it returned (LKL107).
EXIT_OF_ENTER = {"__enter__": "__exit__", "__aenter__": "__aexit__"}

# Where what a setting-up method acquires is released, by convention (the messages' advice).
TEARDOWN_OF_SETUP = {**EXIT_OF_ENTER, "setUp": "tearDown", "asyncSetUp": "asyncTearDown", "setUpClass": "tearDownClass"}

# Calling these on a stored context manager enters or exits it by hand (delegation).
ENTER_DUNDERS = frozenset(EXIT_OF_ENTER)
EXIT_DUNDERS = frozenset(EXIT_OF_ENTER.values())
