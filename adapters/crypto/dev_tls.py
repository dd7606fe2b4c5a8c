"""A development certificate authority and a server certificate for localhost, made locally.

The CA is separate from the server certificate so a developer can trust one file
(``ca.pem``) once and keep it across certificate renewals.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
_RENEW_BEFORE = dt.timedelta(days=14)


@dataclass(frozen=True)
class TlsMaterial:
    ca_cert: Path
    cert: Path
    key: Path


def ensure_development_certificate(
    directory: Path, hosts: tuple[str, ...] = DEFAULT_HOSTS
) -> TlsMaterial:
    """Create (or renew when near expiry) the CA and the server certificate in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    material = TlsMaterial(
        ca_cert=directory / "ca.pem",
        cert=directory / "server.pem",
        key=directory / "server-key.pem",
    )
    ca_key_path = directory / "ca-key.pem"
    now = dt.datetime.now(dt.UTC)
    if not _valid(material.ca_cert, now) or not ca_key_path.exists():
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _ca_certificate(ca_key, now)
        _write_private(ca_key_path, ca_key)
        material.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        material.cert.unlink(missing_ok=True)
    if not _valid(material.cert, now, hosts) or not material.key.exists():
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{ca_key_path} is not the EC key Atlas writes")
        ca_key = loaded
        ca_cert = x509.load_pem_x509_certificate(material.ca_cert.read_bytes())
        server_key = ec.generate_private_key(ec.SECP256R1())
        cert = _server_certificate(server_key, ca_key, ca_cert, hosts, now)
        _write_private(material.key, server_key)
        material.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return material


def _valid(path: Path, now: dt.datetime, hosts: tuple[str, ...] | None = None) -> bool:
    if not path.exists():
        return False
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    if cert.not_valid_after_utc - _RENEW_BEFORE < now:
        return False
    if hosts is None:
        return True
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = {*san.get_values_for_type(x509.DNSName)}
    names |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return set(hosts) <= names


def _ca_certificate(key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atlas development CA")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    hosts: tuple[str, ...],
    now: dt.datetime,
) -> x509.Certificate:
    alt_names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def development_ca(directory: Path) -> ssl.SSLContext:
    """A client context trusting only the development CA (a worker reaching the sandbox that
    ``atlas up`` serves); refuses to start when ``atlas up`` has not created it."""
    ca_cert = directory / "ca.pem"
    if not ca_cert.exists():
        raise FileNotFoundError(f"{ca_cert} is missing: start the server (atlas up) first")
    return ssl.create_default_context(cafile=str(ca_cert))
