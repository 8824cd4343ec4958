"""Every message leaklint prints, as named templates (one place to word them)."""
from __future__ import annotations

NEVER_RELEASED = "`{var}` from `{call}` (line {line}) is never {released}; {advice}"
NEVER_RELEASED_CLOSED = (
    "`{var}` from `{call}` (line {line}) is closed but never returned to the pool: "
    "`close()` does not free the pool slot; {advice}"
)
DISCARDED = "the {label} from `{call}` is never {released}: its result is dropped; {advice}"
CHAINED = "the {label} from `{call}` is used only in a chain and never {released}; bind it with {binding}"
NOT_GUARANTEED = "`{var}` from `{call}` (line {line}) is not {released} if {trigger}; {advice}"
EARLY_EXIT = "`{exit}` leaves {where} without {releasing} `{var}` from `{call}` (line {line}); {advice}"
NON_CLOSING_WITH = "`with {call}` only ends a transaction: the {label} stays open; {advice}"
NON_RETURNING_WITH = "`with {call}` only ends a transaction: the {label} is never returned to the pool; {advice}"
OVERWRITTEN = "`{var}` is rebound while it still holds the {label} from `{call}` (line {line}); {released_verb} it before reassigning"

TRIGGER_CALL = "`{raiser}` at line {raise_line} raises"
TRIGGER_CANCEL = "the task is cancelled at `{raiser}` (line {raise_line}): `except Exception` does not catch `CancelledError`"
TRIGGER_YIELD = "the block using it raises at `yield` (line {raise_line})"
TRIGGER_GENERATOR_CLOSE = "the generator is closed early at `yield` (line {raise_line})"

ADVICE_WITH = "use `{async_}with {call} as {var}:`"
ADVICE_FINALLY_RETURN = "call `{releaser}({var})` in a `finally`"
ADVICE_CLOSING = "use `with contextlib.closing({call}) as {var}:`"
ADVICE_FINALLY_CLOSE = "call `{await_}{var}.{method}()` in a `finally`"
# the project's own release function (`leaklint.releasers`), named with the resource's label
ADVICE_FINALLY_GIVE_BACK = "give the {label} back with `{release}` in a `finally`"
ADVICE_FINALLY_RELEASE = "release the {label} with `{release}` in a `finally`"

PARSE_ERROR = "cannot parse: {reason}"

UNAWAITED_RELEASE = "`{call}` is a coroutine: without `await` the {label} is never {released}; use `await {call}`"
# in a generator-based coroutine (`@types.coroutine`), which cannot `await`
UNAWAITED_RELEASE_YIELD_FROM = "`{call}` is a coroutine: without `yield from` the {label} is never {released}; use `yield from {call}`"
UNAWAITED_ACQUIRE = "`{call}` is not awaited: nothing is acquired and the awaitable is dropped; use `{fix}`"
SYNC_WITH_ON_ASYNC = "`with {call}` on {label}, which supports only `async with`; use `async with`"
CLOSING_ASYNC = "`closing({arg})` calls `close()` without awaiting it: the {label} is never closed; use `async with` on it, or await its `close()` in a `finally`"
BLOCKING_CALL = "`{call}` is a blocking {label} call inside `async def {function}`: it holds the event loop (and every other task's checkout); use an async driver or `await asyncio.to_thread(...)`"
STREAM_EARLY_EXIT = "`{exit}` leaves the loop over `{var}` from `{call}` (line {line}) before the end: the {label} and its connection stay open; close it in a `finally` or open it with `{with_}`"
STREAM_NOT_EXHAUSTED = "`{var}` from `{call}` is read in part (`{reader}` at line {read_line}) and never closed: the {label} keeps its connection busy; close it or open it with `{with_}`"

ATTRIBUTE_NEVER_RELEASED = "`self.{attr}` holds the {label} from `{call}` (line {line}), and no method of `{cls}` {releases}; call `{release}` in {where}"
ATTRIBUTE_OVERWRITTEN = (
    "`self.{attr}` is rebound in `{method}()` while it may still hold the {label} from `{call}` (line {line}); "
    "{released_verb} it (or test `self.{attr}`) before storing a new one"
)
ENTER_LEAKS = (
    "`{holder}` from `{call}` (line {line}) is never {released} if {trigger} (`{exit}` does not run when `{enter}` raises); "
    "release it in an `except BaseException:` that re-raises"
)
CLEANUP_NOT_GUARANTEED = "`{release}` in `{method}()` is skipped if {trigger}, and the {label} in `self.{attr}` stays open; move the release into a `finally`"
