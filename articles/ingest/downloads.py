"""Fetching a file an import names, with the care a server owes an address it was handed.

The address comes from outside (a wire feed, an old site's export), so it is not trusted:
- http and https only: `file:`, `ftp:`, `data:` and the rest are refused;
- every address the host name resolves to must be public — a loopback, private, link-local
  or reserved one (the cloud's metadata service at 169.254.169.254, the database next door)
  is refused unless IMAGE_FETCH_ALLOW_PRIVATE says otherwise — and the connection goes to the
  address that was checked, so a second lookup cannot answer differently (DNS rebinding);
- a redirect is followed at most MAX_REDIRECTS times, each new address checked the same way;
- the whole download, redirects included, gets `timeout` seconds, however slowly the server
  answers or dribbles its bytes;
- reading stops past `max_bytes`, whatever the server declared.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.template.defaultfilters import filesizeformat

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Newsroom picture import"


class DownloadError(Exception):
    """Why a file could not be fetched, in one line."""


def fetch(url: str, into, *, max_bytes: int, timeout: float, allow_private: bool) -> str:
    """Write the file at `url` into the binary file `into`; return the address it came from
    (after redirects). DownloadError says why it could not be fetched."""
    deadline = time.monotonic() + timeout
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            connection, response = _get(url, deadline=deadline, allow_private=allow_private)
            try:
                location = response.getheader("Location")
                if response.status in REDIRECTS and location:
                    url = urljoin(url, location.strip())
                    continue
                if response.status != 200:
                    raise DownloadError(
                        f"the server answered {response.status} {response.reason}".rstrip()
                    )
                _read(response, into, connection=connection, deadline=deadline, max_bytes=max_bytes)
                return url
            finally:
                connection.close()
    except TimeoutError:
        raise DownloadError(
            f"no complete answer in time (IMAGE_FETCH_TIMEOUT is {timeout:g} s)"
        ) from None
    except (OSError, http.client.HTTPException) as error:
        raise DownloadError(f"the download failed ({_reason(error)})") from None
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)")


def _get(url: str, *, deadline: float, allow_private: bool):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        shown = f"{scheme}:" if scheme else "an address without a scheme"
        raise DownloadError(f"only http and https addresses are fetched, not {shown}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise DownloadError("the address has an invalid port") from None
    host = parts.hostname
    if not host:
        raise DownloadError("the address names no host")
    address = _public_address(host, port, allow_private=allow_private)
    timeout = _remaining(deadline)
    if scheme == "https":
        connection = _PinnedHTTPSConnection(host, port, address=address, timeout=timeout)
    else:
        connection = _PinnedHTTPConnection(host, port, address=address, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "image/jpeg, image/png, image/webp, image/*;q=0.8",
                "Accept-Encoding": "identity",  # the bytes themselves, counted as they come
            },
        )
        return connection, connection.getresponse()
    except TimeoutError:
        connection.close()
        raise
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise DownloadError(f"could not fetch it from {host} ({_reason(error)})") from None


def _public_address(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to: the first the name resolves to, all of them checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise DownloadError(f"the host {host} could not be found") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise DownloadError(f"the host {host} could not be found")
    if not allow_private:
        for address in addresses:
            if not _is_public(address):
                raise DownloadError(
                    f"{host} is a private, loopback or reserved address ({address}): refused "
                    "(IMAGE_FETCH_ALLOW_PRIVATE=true lets imports fetch from such addresses)"
                )
    return addresses[0]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) aside
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _read(response, into, *, connection, deadline: float, max_bytes: int) -> None:
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise DownloadError(f"it is {filesizeformat(int(declared))}; {_limit(max_bytes)}")
    received = 0
    while True:
        connection.socket.settimeout(_remaining(deadline))
        chunk = response.read1(CHUNK_BYTES)
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise DownloadError(f"it is larger than that: stopped reading; {_limit(max_bytes)}")
        into.write(chunk)
    if declared and declared.strip().isdigit() and received < int(declared):
        raise DownloadError(
            f"the connection closed after {received} of the {int(declared)} bytes declared"
        )


def _limit(max_bytes: int) -> str:
    return f"pictures may be at most {filesizeformat(max_bytes)} (IMAGE_MAX_UPLOAD_MB)"


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:120]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now.

    `socket` stays the connection's socket once a response that ends with the connection
    has taken it over (http.client then forgets `sock`), so each read can be given what is
    left of the time."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.socket = None

    def connect(self):
        self.sock = self.socket = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As _PinnedHTTPConnection, the certificate checked against the host's name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address
        self.socket = None

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.socket = self.tls.wrap_socket(sock, server_hostname=self.host)
