"""The network's own certificate authority (`juki pki`), made with `cryptography`.

Two kinds of certificate, both issued by one CA (ECDSA P-256):
- node certificates: an Ed25519 key whose subject CN is the node id (e.g. `cs:131075`) and
  OU its role; they certify the key that signs envelopes (design §3, as X-Road signs
  every message);
- TLS certificates: an ECDSA P-256 key for a process's HTTPS endpoint, used for mutual TLS
  (serverAuth + clientAuth) between processes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from juki.core.errors import Refused

_VALIDITY = dt.timedelta(days=3650)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _safe(name: str) -> str:
    return name.replace(":", "_").replace("/", "_")


@dataclass
class CertificateAuthority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, name: str = "juki network CA") -> CertificateAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5))
            .not_valid_after(_now() + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    def _issue(
        self,
        subject: x509.Name,
        public_key: ec.EllipticCurvePublicKey | Ed25519PublicKey,
        extensions: list[tuple[x509.ExtensionType, bool]],
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5))
            .not_valid_after(_now() + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(self.key, hashes.SHA256())

    def issue_node(self, node_id: str) -> tuple[Ed25519PrivateKey, x509.Certificate]:
        key = Ed25519PrivateKey.generate()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, node_id.split(":")[0]),
                x509.NameAttribute(NameOID.COMMON_NAME, node_id),
            ]
        )
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        return key, self._issue(subject, key.public_key(), [(usage, True)])

    def issue_tls(self, name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        san = x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        )
        eku = x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        )
        return key, self._issue(subject, key.public_key(), [(san, False), (eku, False)])


def load_certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def node_id_of(cert: x509.Certificate, ca_cert: x509.Certificate) -> tuple[str, Ed25519PublicKey]:
    """Verify that `cert` was issued by our CA, is in date, and holds an Ed25519 key.

    Returns the node id (subject CN) and the key. Raises Refused otherwise.
    """
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, Exception) as exc:
        raise Refused(
            "証明書が認証局により発行されたものではありません", field="certificate"
        ) from exc
    now = _now()
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise Refused("証明書の有効期間外です", field="certificate")
    public_key = cert.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise Refused("署名用の鍵ではありません", field="certificate")
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise Refused("証明書にノード識別子がありません", field="certificate")
    return str(names[0].value), public_key


class PkiDirectory:
    """Where `juki pki` keeps the CA and the certificates it issued.

    Layout: ca.pem, ca.key, nodes/<node>.pem|key, tls/<name>.pem|key. Keys are written 0600.
    """

    def __init__(self, root: Path):
        self.root = root

    @property
    def ca_cert_path(self) -> Path:
        return self.root / "ca.pem"

    def exists(self) -> bool:
        return self.ca_cert_path.exists()

    def init(self) -> CertificateAuthority:
        ca = CertificateAuthority.create()
        self.root.mkdir(parents=True, exist_ok=True)
        self._write(self.root / "ca.key", _key_pem(ca.key), secret=True)
        self._write(self.ca_cert_path, _pem(ca.cert))
        return ca

    def ca(self) -> CertificateAuthority:
        key = serialization.load_pem_private_key((self.root / "ca.key").read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return CertificateAuthority(key, self.ca_cert())

    def ca_cert(self) -> x509.Certificate:
        return load_certificate(self.ca_cert_path.read_bytes())

    def node_paths(self, node_id: str) -> tuple[Path, Path]:
        base = self.root / "nodes" / _safe(node_id)
        return base.with_suffix(".pem"), base.with_suffix(".key")

    def tls_paths(self, name: str) -> tuple[Path, Path]:
        base = self.root / "tls" / _safe(name)
        return base.with_suffix(".pem"), base.with_suffix(".key")

    def ensure_node(self, node_id: str, ca: CertificateAuthority | None = None) -> None:
        cert_path, key_path = self.node_paths(node_id)
        if cert_path.exists():
            return
        key, cert = (ca or self.ca()).issue_node(node_id)
        self._write(key_path, _key_pem(key), secret=True)
        self._write(cert_path, _pem(cert))

    def ensure_tls(self, name: str, ca: CertificateAuthority | None = None) -> None:
        cert_path, key_path = self.tls_paths(name)
        if cert_path.exists():
            return
        key, cert = (ca or self.ca()).issue_tls(name)
        self._write(key_path, _key_pem(key), secret=True)
        self._write(cert_path, _pem(cert))

    def node_identity(self, node_id: str) -> tuple[Ed25519PrivateKey, bytes]:
        cert_path, key_path = self.node_paths(node_id)
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, Ed25519PrivateKey)
        return key, cert_path.read_bytes()

    def server_context(self, name: str) -> ssl.SSLContext:
        """TLS server context that demands a client certificate from our CA (mutual TLS)."""
        cert_path, key_path = self.tls_paths(name)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.ca_cert_path))
        context.load_cert_chain(str(cert_path), str(key_path))
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def client_context(self, name: str) -> ssl.SSLContext:
        cert_path, key_path = self.tls_paths(name)
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_cert_path))
        context.load_cert_chain(str(cert_path), str(key_path))
        return context

    @staticmethod
    def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if secret:
            path.chmod(0o600)
