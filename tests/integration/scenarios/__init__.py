"""Leaky service code, one leak shape per module, run against real drivers.

Every module has a ``run(dsn, iterations)`` entry point (a coroutine for
the asyncio drivers) that serves ``iterations`` requests and returns what
they produced, so that a fixed copy can be shown to produce the same.
Where a request fails because the leak exhausted the pool, its slot in the
returned list is ``None``. Long-lived objects (the pool, the engine, a
worker's connection) stay in module globals after ``run`` returns, as they
would in a service; whoever calls ``run`` shuts them down.

A trailing ``# expect: LKL...`` comment marks each line where leaklint must
report, with the codes it must report there.
"""
