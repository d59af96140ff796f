"""A TCP forwarder the fault tests put between a worker and PostgreSQL, run as its own process:
`python -m tests.faults.tcp_proxy LISTEN_PORT TARGET_HOST TARGET_PORT`.

Killed, it is PostgreSQL going away as the worker sees it: every open connection ends, every new
one is refused. Started again on the same port, PostgreSQL is back. The test database and every
other process stay untouched.
"""

from __future__ import annotations

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _forward(client_reader, client_writer, host: str, port: int) -> None:
    try:
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))


async def main(listen: int, host: str, port: int) -> None:
    server = await asyncio.start_server(
        lambda r, w: _forward(r, w, host, port), "127.0.0.1", listen, reuse_address=True
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
