"""Where webhooks may go, so they are not a way into the internal network: an http or https URL
whose host resolves only to public addresses — not loopback, private, link-local, multicast,
reserved, unspecified or otherwise non-global ones, IPv4 or IPv6, nor an IPv4 address wrapped in
an IPv6 one (mapped, 6to4, Teredo, NAT64) — unless an admin allows private addresses.

The check runs when an endpoint is registered and again before every delivery, which connects
to the address it checked (`checked_addresses`), so a name that resolves to something else by
the time of the request (DNS rebinding) reaches nothing the check did not allow."""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# How host names are resolved (tests replace it to play a DNS server).
resolver = socket.getaddrinfo


class AddressError(ValueError):
    """Why a URL is refused, fit to show."""


@dataclass(frozen=True)
class Target:
    scheme: str  # http or https
    host: str    # as a connection names it: an ASCII (IDNA) name or an IP address
    port: int
    path: str    # path and query, what the request line carries
    host_header: str  # host[:port] as the Host header carries it

    @property
    def literal(self) -> IPAddress | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def parse_url(url: str) -> Target:
    """The parts of a webhook URL, or AddressError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise AddressError("Enter the URL that receives the events.")
    if len(url) > MAX_URL_LENGTH:
        raise AddressError(f"The URL is longer than {MAX_URL_LENGTH:,} characters.")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise AddressError("The URL holds spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressError(f"The URL cannot be read ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise AddressError(f"The URL must start with https:// or http:// (it has {shown}).")
    if parts.username is not None or parts.password is not None:
        raise AddressError("The URL must not hold a user name or password: endpoints check "
                           "the signature of each message instead.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise AddressError("The URL has no host name.")
    try:
        ascii_host = host if _is_ip(host) else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise AddressError(f"“{host}” is not a valid host name.") from None
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    shown_host = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    default = port == (443 if scheme == "https" else 80)
    return Target(scheme, ascii_host, port, path,
                  shown_host if default else f"{shown_host}:{port}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def why_not_public(address: IPAddress) -> str | None:
    """Why an address is not one a webhook may reach by default (None: it is public)."""
    for candidate in _with_embedded(address):
        for check, what in (("is_unspecified", "an unspecified address"),
                            ("is_loopback", "a loopback address"),
                            ("is_link_local", "a link-local address"),
                            ("is_multicast", "a multicast address"),
                            ("is_private", "a private address"),
                            ("is_reserved", "a reserved address")):
            if getattr(candidate, check):
                return what
        if not candidate.is_global:
            return "not a public address"
    return None


def _with_embedded(address: IPAddress) -> list[IPAddress]:
    """Any IPv4 address the address carries (IPv4-mapped, 6to4, Teredo, NAT64), then the
    address itself: the most telling reason first."""
    found = []
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            found.append(address.ipv4_mapped)
        if address.sixtofour:
            found.append(address.sixtofour)
        if address.teredo:
            found.extend(address.teredo)
        if address in NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [*found, address]


def resolve(target: Target) -> list[IPAddress]:
    """Every address the target's host has, in the resolver's order."""
    if target.literal is not None:
        return [target.literal]
    try:
        answers = resolver(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise AddressError(f"Cannot find the host {target.host} ({reason}).") from None
    addresses = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressError(f"Cannot find the host {target.host} (no address).")
    return addresses


def checked_addresses(target: Target, allow_private: bool) -> list[IPAddress]:
    """The addresses a request to `target` may connect to: all of the host's, once each is
    known to be public (or private ones are allowed). Refuses the host if any of them is not:
    a name that also points inside is not used at all."""
    addresses = resolve(target)
    if not allow_private:
        for address in addresses:
            reason = why_not_public(address)
            if reason is not None:
                named = (f"{address}" if target.literal is not None
                         else f"{target.host} resolves to {address}, which")
                raise AddressError(
                    f"{named} is {reason}: webhooks go only to public addresses unless an "
                    "admin allows private ones (Webhooks → Settings).")
    return addresses


def check_url(url: str, allow_private: bool) -> tuple[Target, list[IPAddress]]:
    target = parse_url(url)
    return target, checked_addresses(target, allow_private)
