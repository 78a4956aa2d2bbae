"""One Redis GET on a plain socket: the page cache's generation read, on every request.

redis-py spends about 150 µs on a GET here (its connection pool, its instrumentation, a socket
in timeout mode); this spends about 25 µs on the same round trip, which is the difference
between a warm page at half of gunicorn's limit and near it. It speaks just enough of RESP
(https://redis.io/docs/latest/develop/reference/protocol-spec/) for GET, on one connection per
process and thread, opened again after a fork or a failure. Everything else (writes, the
pages themselves) goes through Django's cache and redis-py.

A connection that failed is reported (`resumed()`): whatever cut it (Redis restarting, the
network), a change may have been saved meanwhile that no bump reached Redis with. Each new
connection also learns the server's run id (`INFO server`), which changes with every start of
Redis (`new_server_run_id()`): a process connecting for the first time after a restart cannot
tell from its own connection that anything happened, but the run id can.
"""

import os
import socket
import ssl
import threading
from urllib.parse import unquote, urlsplit

TIMEOUT_SECONDS = 1.0
RECEIVE_BYTES = 65536


class RedisError(Exception):
    """Redis answered with an error, closed the connection or could not be reached."""


def command(*parts: bytes) -> bytes:
    encoded = [b"*%d\r\n" % len(parts)]
    for part in parts:
        encoded.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(encoded)


class Reader:
    """A connection to one Redis server and database, for GETs."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "rediss"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.database = (parts.path or "/0").lstrip("/") or "0"
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.local = threading.local()

    def get(self, key: str) -> bytes | None:
        """The value of `key`, or None. Raises RedisError when Redis cannot answer."""
        request = command(b"GET", key.encode())
        try:
            return self._ask(self._connection(), request)
        except (OSError, RedisError):
            self.close()
            self.local.interrupted = True
        # Once more on a new connection: the server may have closed an idle one.
        try:
            return self._ask(self._connection(), request)
        except OSError as error:
            self.close()
            raise RedisError(str(error)) from error

    def set(self, key: str, value: bytes) -> None:
        """SET `key` to `value` (a plain string, not one of Django's pickles)."""
        try:
            self._ask(self._connection(), command(b"SET", key.encode(), value))
        except OSError as error:
            self.close()
            raise RedisError(str(error)) from error

    def new_server_run_id(self) -> bytes | None:
        """The run id of the server this thread's connection reached, if that connection was
        opened since the last call; None otherwise."""
        run_id = getattr(self.local, "new_run_id", None)
        self.local.new_run_id = None
        return run_id

    def resumed(self) -> bool:
        """Whether this thread's connection failed since the last call (and so, after a GET
        that answered, that a new one replaced it)."""
        interrupted = getattr(self.local, "interrupted", False)
        self.local.interrupted = False
        return interrupted

    def close(self) -> None:
        connection = getattr(self.local, "connection", None)
        self.local.connection = None
        if connection is not None:
            connection[1].close()

    def _connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None or connection[0] != os.getpid():
            connection = self.local.connection = (os.getpid(), self._connect())
        return connection[1]

    def _connect(self):
        connection = socket.create_connection((self.host, self.port), timeout=TIMEOUT_SECONDS)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            context = ssl.create_default_context()
            connection = context.wrap_socket(connection, server_hostname=self.host)
        setup = []
        if self.password is not None:
            credentials = [self.username or "default", self.password]
            setup.append(command(b"AUTH", *(value.encode() for value in credentials)))
        if self.database != "0":
            setup.append(command(b"SELECT", self.database.encode()))
        for request in setup:
            self._ask(connection, request)
        info = self._ask(connection, command(b"INFO", b"server")) or b""
        for line in info.splitlines():
            if line.startswith(b"run_id:"):
                self.local.new_run_id = line[len(b"run_id:") :].strip()
        return connection

    @staticmethod
    def _ask(connection, request: bytes) -> bytes | None:
        """Send one command and read its one reply (a GET's reply fits one recv, mostly)."""
        connection.sendall(request)
        reply = connection.recv(RECEIVE_BYTES)
        while b"\r\n" not in reply:
            reply += _more(connection)
        line, _, rest = reply.partition(b"\r\n")
        kind, value = line[:1], line[1:]
        if kind == b"$":
            length = int(value)
            if length < 0:
                return None
            while len(rest) < length + 2:
                rest += _more(connection)
            return rest[:length]
        if kind in (b"+", b":"):
            return value
        if kind == b"-":
            raise RedisError(value.decode(errors="replace"))
        raise RedisError(f"unexpected reply from Redis: {line[:40]!r}")


def _more(connection) -> bytes:
    data = connection.recv(RECEIVE_BYTES)
    if not data:
        raise RedisError("Redis closed the connection")
    return data
