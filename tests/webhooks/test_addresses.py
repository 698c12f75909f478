"""The SSRF guard: which URLs and addresses webhooks may reach, IPv4 and IPv6, and the checked
address being the one a delivery connects to (no DNS rebinding)."""
import datetime
import ipaddress
import socket

import pytest

from cev_learn.webhooks import addresses
from cev_learn.webhooks.addresses import AddressError, check_url, parse_url, why_not_public
from cev_learn.webhooks.sending import Sender

REFUSED = {
    "127.0.0.1": "a loopback address", "127.8.9.10": "a loopback address",
    "::1": "a loopback address", "10.1.2.3": "a private address",
    "172.16.0.1": "a private address", "192.168.1.20": "a private address",
    "169.254.169.254": "a link-local address", "fe80::1": "a link-local address",
    "fd12:3456::1": "a private address", "224.0.0.251": "a multicast address",
    "ff02::1": "a multicast address", "0.0.0.0": "an unspecified address",
    "::": "an unspecified address", "240.0.0.1": "a private address",
    "100.64.0.1": "not a public address", "192.0.2.10": "a private address",
    # IPv4 inside IPv6: mapped, 6to4, NAT64
    "::ffff:127.0.0.1": "a loopback address", "::ffff:10.0.0.1": "a private address",
    "2002:7f00:1::1": "a loopback address", "2002:a9fe:a9fe::1": "a link-local address",
    "64:ff9b::a9fe:a9fe": "a link-local address",
}
PUBLIC = ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e")


@pytest.mark.parametrize("address,reason", REFUSED.items())
def test_every_internal_kind_of_address_is_refused_with_its_name(address, reason):
    assert why_not_public(ipaddress.ip_address(address)) == reason
    with pytest.raises(AddressError) as refused:
        check_url(f"https://{f'[{address}]' if ':' in address else address}/hook", False)
    assert f"{ipaddress.ip_address(address)} is {reason}" in str(refused.value)
    assert "unless an admin allows private ones" in str(refused.value)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert why_not_public(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "::ffff:127.0.0.1"])
def test_an_admin_setting_allows_private_addresses(address):
    host = f"[{address}]" if ":" in address else address
    _, found = check_url(f"http://{host}:8080/hook", allow_private=True)
    assert found == [ipaddress.ip_address(address)]


@pytest.mark.parametrize("url,message", [
    ("", "Enter the URL"),
    ("crm.example.com/hook", "must start with https:// or http:// (it has no scheme)"),
    ("ftp://crm.example.com/hook", "must start with https:// or http:// (it has ftp:)"),
    ("javascript:alert(1)", "must start with https:// or http:// (it has javascript:)"),
    ("file:///etc/passwd", "(it has file:)"),
    ("https://user:pass@crm.example.com/", "must not hold a user name or password"),
    ("https:///nohost", "has no host name"),
    ("https://crm.example.com:99999/", "cannot be read"),
    ("https://crm.example.com/a b", "spaces or control characters"),
    ("https://crm.example.com/\x00", "spaces or control characters"),
    ("https://" + "a" * 2000 + ".com/", "longer than 2,000 characters"),
])
def test_bad_urls_are_named(url, message):
    with pytest.raises(AddressError) as refused:
        parse_url(url)
    assert message in str(refused.value)


def test_what_a_request_is_made_of():
    target = parse_url("HTTPS://Bücher.example:8443/in/hook?key=1#part")
    assert (target.scheme, target.host, target.port, target.path, target.host_header) == (
        "https", "xn--bcher-kva.example", 8443, "/in/hook?key=1", "xn--bcher-kva.example:8443")
    assert parse_url("http://[::1]/").host_header == "[::1]"


def fake_dns(answers: dict[str, list[list[str]]]):
    """A resolver answering each name with the next list of addresses given for it."""
    calls = {name: 0 for name in answers}

    def resolve(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        found = answers[host][min(calls[host], len(answers[host]) - 1)]
        calls[host] += 1
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in found]

    return resolve


def test_names_are_resolved_and_every_address_must_be_public(monkeypatch):
    monkeypatch.setattr(addresses, "resolver", fake_dns({
        "crm.example": [["93.184.216.34"]],
        "mixed.example": [["93.184.216.34", "10.0.0.7"]],
        "inside.example": [["192.168.0.5"]]}))
    assert check_url("https://crm.example/hook", False)[1] == [
        ipaddress.ip_address("93.184.216.34")]
    for host, address, reason in (("mixed.example", "10.0.0.7", "a private address"),
                                  ("inside.example", "192.168.0.5", "a private address")):
        with pytest.raises(AddressError) as refused:
            check_url(f"https://{host}/hook", False)
        assert f"{host} resolves to {address}, which is {reason}" in str(refused.value)
    with pytest.raises(AddressError) as refused:
        check_url("https://nowhere.example/hook", False)
    assert "Cannot find the host nowhere.example" in str(refused.value)


def test_a_name_that_turns_internal_after_the_check_is_refused_at_delivery(monkeypatch):
    """DNS rebinding: public when checked, loopback when the request is made. The delivery
    checks again and connects only to what it checked."""
    monkeypatch.setattr(addresses, "resolver", fake_dns({
        "rebind.example": [["93.184.216.34"], ["127.0.0.1"]]}))
    check_url("http://rebind.example/hook", False)  # registered: public then
    sender = Sender(timeout=2)
    outcome = sender.post("http://rebind.example/hook", b"{}", {}, allow_private=False)
    assert not outcome.ok
    assert outcome.error.startswith("Refused: rebind.example resolves to 127.0.0.1, which is "
                                    "a loopback address")
    sender.close()


def test_a_delivery_connects_to_the_address_it_checked_and_names_the_host(monkeypatch):
    """A name resolved to a receiver's address: the connection goes to that address, the
    Host header carries the name (and nothing is resolved a second time)."""
    from bench.receiver import Receiver

    with Receiver() as receiver:
        monkeypatch.setattr(addresses, "resolver", fake_dns({
            "crm.internal.example": [["127.0.0.1"], ["10.9.9.9"]]}))
        sender = Sender(timeout=2)
        outcome = sender.post(f"http://crm.internal.example:{receiver.port}/in?x=1", b"{}",
                              {"webhook-id": "evt_1"}, allow_private=True)
        sender.close()
    assert outcome.ok and outcome.status_code == 204
    [request] = receiver.requests
    assert request.headers["host"] == f"crm.internal.example:{receiver.port}"


def certificate_files(directory, name: str):
    """A CA and a server certificate it signed for `name`: (CA file, (cert file, key file))."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def make(subject, issuer, key, signer, ca):
        now = datetime.datetime.now(datetime.UTC)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]),
                                            critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = make(ca_name, ca_name, ca_key, ca_key, True)
    cert = make(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key,
                ca_key, False)
    files = {"ca.pem": ca.public_bytes(serialization.Encoding.PEM),
             "cert.pem": cert.public_bytes(serialization.Encoding.PEM),
             "key.pem": key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())}
    for file_name, data in files.items():
        (directory / file_name).write_bytes(data)
    return str(directory / "ca.pem"), (str(directory / "cert.pem"), str(directory / "key.pem"))


def test_https_checks_the_certificate_against_the_urls_host_at_the_checked_address(
        monkeypatch, tmp_path):
    """The connection goes to the checked address; TLS names the URL's host (SNI) and the
    certificate must be valid for it: one from an unknown CA, or for another name, fails."""
    from bench.receiver import Receiver

    ca, server_files = certificate_files(tmp_path, "crm.internal.example")
    monkeypatch.setattr(addresses, "resolver", fake_dns({
        "crm.internal.example": [["127.0.0.1"]], "other.internal.example": [["127.0.0.1"]]}))
    with Receiver(tls=server_files) as receiver:
        untrusting = Sender(timeout=2)
        unknown = untrusting.post(f"https://crm.internal.example:{receiver.port}/", b"{}", {},
                                  allow_private=True)
        trusting = Sender(timeout=2)
        trusting._tls.load_verify_locations(ca)
        trusted = trusting.post(f"https://crm.internal.example:{receiver.port}/", b"{}", {},
                                allow_private=True)
        wrong_name = trusting.post(f"https://other.internal.example:{receiver.port}/", b"{}",
                                   {}, allow_private=True)
        untrusting.close(), trusting.close()
    assert not unknown.ok and "certificate verify failed" in unknown.error
    assert unknown.error.startswith(f"TLS failed with crm.internal.example:{receiver.port}")
    assert trusted.ok and trusted.status_code == 204
    assert not wrong_name.ok and "hostname 'other.internal.example' doesn't match" in \
        wrong_name.error
    assert len(receiver.requests) == 1
