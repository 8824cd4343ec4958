"""SQLAlchemy asyncio: an AsyncSession that is never closed.

The session checks a connection out at its first query and keeps it until
it is closed. Left to the garbage collector, it holds the connection long
enough for concurrent requests to wait pool_timeout seconds and fail with
sqlalchemy.exc.TimeoutError ("QueuePool limit ... reached").
"""
import asyncio
from typing import Optional

from sqlalchemy import String, insert
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "lkl_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


engine: Optional[AsyncEngine] = None
SessionLocal = async_sessionmaker(expire_on_commit=False)


async def open_engine(dsn):
    global engine
    # asyncpg reads the whole DSN, application_name included.
    engine = create_async_engine(
        "postgresql+asyncpg://",
        connect_args={"dsn": dsn},
        pool_size=2,
        max_overflow=0,
        pool_timeout=1,
    )
    SessionLocal.configure(bind=engine)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
        await conn.execute(
            insert(Product), [{"id": i, "name": f"product-{i}"} for i in range(1, 21)]
        )


async def product_name(product_id):
    session = SessionLocal()  # expect: LKL101
    product = await session.get(Product, product_id)
    return product.name


async def handle(product_id):
    try:
        return await product_name(product_id)
    except PoolTimeoutError:
        return None


async def run(dsn, iterations):
    await open_engine(dsn)
    return await asyncio.gather(*(handle(i % 20 + 1) for i in range(iterations)))
