"""Message brokers: pika and aio-pika (RabbitMQ), aiokafka (Kafka).

- Acquire: pika's `BlockingConnection()` (blocking: it connects in the
  constructor); aio-pika's `connect()` and `connect_robust()` (coroutines);
  aiokafka's `AIOKafkaProducer()` and `AIOKafkaConsumer()` (plain
  constructors: `await start()` connects, but an object never stopped is
  reported unclosed even when never started). A channel
  (`connection.channel()`, awaitable on aio-pika) lives and dies with its
  connection, like a client-side cursor; a pika `BlockingChannel` keeps its
  connection as `channel.connection` (pika 1.4.4,
  `adapters/blocking_connection.py`; aio-pika's channel keeps it private),
  so a helper that returns a channel hands its connection off.
- Release: `close()` on pika connections and channels (a second `close()`
  raises); `await close()` on aio-pika connections and channels;
  `await stop()` on aiokafka clients.
- `with` closes pika connections and channels; `async with` closes
  aio-pika connections and channels, and starts then stops aiokafka
  clients. aio-pika's `connect()` is a coroutine: `async with await
  connect(...)`, never `async with connect(...)`.
"""
from __future__ import annotations

from ..model import Acquire, Await, Awaiting, Exit, Kind, Library, Release
from .common import ASYNC_CLOSE, SYNC_CLOSE


PIKA = Library(
    name="pika",
    module_roots=("pika",),
    functions={
        name: Acquire("pika.BlockingConnection", blocking=True)
        for name in (
            "pika.BlockingConnection",
            "pika.adapters.BlockingConnection",
            "pika.adapters.blocking_connection.BlockingConnection",
        )
    },
    kinds=(
        Kind(
            name="pika.BlockingConnection",
            label="pika connection",
            library="pika",
            types=("pika.BlockingConnection", "pika.adapters.blocking_connection.BlockingConnection"),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            methods={"channel": (Acquire("pika.BlockingChannel", blocking=True),)},
            derived={"channel": "connection"},  # `BlockingChannel.connection` (adapters/blocking_connection.py)
            blocking=("process_data_events", "sleep"),
        ),
        Kind(
            name="pika.BlockingChannel",
            label="pika channel",
            library="pika",
            types=("pika.adapters.blocking_connection.BlockingChannel",),
            releases=SYNC_CLOSE,
            with_exit=Exit.CLOSES,
            blocking=("basic_publish", "basic_get", "queue_declare", "exchange_declare", "start_consuming"),
            owned=False,  # closed with its connection
        ),
    ),
    verified="pika 1.4.4",
    sources=("pika/adapters/blocking_connection.py", "pika/__init__.py"),
)


AIO_PIKA = Library(
    name="aio-pika",
    module_roots=("aio_pika",),
    functions={
        name: Acquire("aio_pika.Connection", Await.COROUTINE)
        for name in (
            "aio_pika.connect",
            "aio_pika.connection.connect",
            "aio_pika.connect_robust",
            "aio_pika.robust_connection.connect_robust",
        )
    },
    kinds=(
        Kind(
            name="aio_pika.Connection",
            label="aio-pika connection",
            library="aio-pika",
            types=(
                "aio_pika.Connection",
                "aio_pika.RobustConnection",
                "aio_pika.abc.AbstractConnection",
                "aio_pika.abc.AbstractRobustConnection",
            ),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            methods={"channel": (Acquire("aio_pika.Channel", Await.AWAITABLE),)},
        ),
        Kind(
            name="aio_pika.Channel",
            label="aio-pika channel",
            library="aio-pika",
            types=("aio_pika.Channel", "aio_pika.RobustChannel", "aio_pika.abc.AbstractChannel"),
            releases=ASYNC_CLOSE,
            async_with_exit=Exit.CLOSES,
            owned=False,  # closed with its connection
        ),
    ),
    verified="aio-pika 10.2.1",
    sources=("aio_pika/connection.py", "aio_pika/robust_connection.py", "aio_pika/channel.py", "aio_pika/robust_channel.py"),
)


# the producer and the consumer share their lifecycle: start(), then stop()
KAFKA_CLIENTS = {"AIOKafkaProducer": ("producer", "aiokafka producer"), "AIOKafkaConsumer": ("consumer", "aiokafka consumer")}

AIOKAFKA = Library(
    name="aiokafka",
    module_roots=("aiokafka",),
    functions={
        name: Acquire(f"aiokafka.{cls}")
        for cls, (module, _) in KAFKA_CLIENTS.items()
        for name in (f"aiokafka.{cls}", f"aiokafka.{module}.{cls}")
    },
    kinds=tuple(
        Kind(
            name=f"aiokafka.{cls}",
            label=label,
            library="aiokafka",
            types=(f"aiokafka.{cls}", f"aiokafka.{module}.{cls}"),
            releases=(Release("stop", Awaiting.ASYNC),),
            async_with_exit=Exit.CLOSES,
        )
        for cls, (module, label) in KAFKA_CLIENTS.items()
    ),
    verified="aiokafka 0.14.0",
    sources=("aiokafka/producer/producer.py", "aiokafka/consumer/consumer.py"),
)
