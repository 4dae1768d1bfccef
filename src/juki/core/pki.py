"""The network's own certificate authority (`juki pki`), made with `cryptography`.

Two kinds of certificate, both issued by one CA (ECDSA P-256):
- node certificates: an Ed25519 key whose subject CN is the node id (e.g. `cs:131075`) and
  OU its role; they certify the key that signs envelopes (design §3, as X-Road signs
  every message);
- TLS certificates: an ECDSA P-256 key for a process's HTTPS endpoint, used for mutual TLS
  (serverAuth + clientAuth) between processes.

Certificates live a year (`CERT_VALIDITY`; renewed by `juki pki renew`, and by `juki up`
within a month of expiry); the CA revokes with a CRL (RFC 5280 §5) that `juki pki revoke`
writes and every node reads again when it changes. A receiving node verifies a
certificate's signature once (cached) but checks its dates, its key usage and the CRL on
every use (issue #14): a certificate that expires or is revoked while the node runs is
refused from then on.
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
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from juki.core.errors import Refused
from juki.core.files import write_private

CA_VALIDITY = dt.timedelta(days=3650)
CERT_VALIDITY = dt.timedelta(days=365)  # node and TLS certificates: a year
RENEW_BEFORE = dt.timedelta(days=30)  # `juki up` renews what expires within a month
CRL_VALIDITY = dt.timedelta(days=30)  # nextUpdate; re-signed at every start after half of it


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
            .not_valid_after(_now() + CA_VALIDITY)
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
        validity: dt.timedelta = CERT_VALIDITY,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5))
            .not_valid_after(_now() + validity)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(self.key, hashes.SHA256())

    def issue_node(
        self, node_id: str, validity: dt.timedelta = CERT_VALIDITY
    ) -> tuple[Ed25519PrivateKey, x509.Certificate]:
        key = Ed25519PrivateKey.generate()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, node_id.split(":")[0]),
                x509.NameAttribute(NameOID.COMMON_NAME, node_id),
            ]
        )
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        return key, self._issue(subject, key.public_key(), [(usage, True)], validity)

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

    def crl(
        self, revoked: list[x509.RevokedCertificate], at: dt.datetime | None = None
    ) -> x509.CertificateRevocationList:
        """The CA's revocation list of `revoked`, valid for CRL_VALIDITY from `at`."""
        at = at or _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(at)
            .next_update(at + CRL_VALIDITY)
        )
        for entry in revoked:
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(self.key, hashes.SHA256())


def load_certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def node_id_of(cert: x509.Certificate, ca_cert: x509.Certificate) -> tuple[str, Ed25519PublicKey]:
    """What may be verified once per certificate: that our CA issued it (its signature),
    that it is a node's signing certificate (not a CA, digitalSignature, an Ed25519 key).
    Returns the node id (subject CN) and the key. Raises Refused otherwise. Its dates and
    revocation are checked on every use (`check_in_use`)."""
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, Exception) as exc:
        raise Refused(
            "証明書が認証局により発行されたものではありません", field="certificate"
        ) from exc
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise Refused("署名用の証明書ではありません", field="certificate") from None
    if constraints.ca or not usage.digital_signature:
        raise Refused("署名用の証明書ではありません", field="certificate")
    public_key = cert.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise Refused("署名用の鍵ではありません", field="certificate")
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise Refused("証明書にノード識別子がありません", field="certificate")
    return str(names[0].value), public_key


def check_in_use(
    cert: x509.Certificate,
    crl: x509.CertificateRevocationList | None,
    at: dt.datetime | None = None,
) -> None:
    """At every use: the certificate is in date and not on the CA's revocation list."""
    at = at or _now()
    if not (cert.not_valid_before_utc <= at <= cert.not_valid_after_utc):
        raise Refused("証明書の有効期間外です", field="certificate")
    if crl is not None and crl.get_revoked_certificate_by_serial_number(cert.serial_number):
        raise Refused("証明書は失効しています", field="certificate")


class PkiDirectory:
    """Where `juki pki` keeps the CA and the certificates it issued.

    Layout: ca.pem, ca.key, crl.pem, nodes/<node>.pem|key, tls/<name>.pem|key. Keys are
    created 0600 in folders created 0700 (never loosened, then tightened).
    """

    def __init__(self, root: Path):
        self.root = root
        self._crl: tuple[tuple[int, int], x509.CertificateRevocationList] | None = None

    @property
    def crl_path(self) -> Path:
        return self.root / "crl.pem"

    @property
    def ca_cert_path(self) -> Path:
        return self.root / "ca.pem"

    def exists(self) -> bool:
        return self.ca_cert_path.exists()

    def init(self) -> CertificateAuthority:
        ca = CertificateAuthority.create()
        self._write(self.root / "ca.key", _key_pem(ca.key), secret=True)
        self._write(self.ca_cert_path, _pem(ca.cert))
        self._write_crl(ca, [])
        return ca

    # --- revocation -----------------------------------------------------------------------

    def crl(self) -> x509.CertificateRevocationList:
        """The CA's current CRL, read again whenever the file changes; refused if it is not
        the CA's or past its nextUpdate (a node that cannot know what is revoked trusts
        no certificate: fail closed)."""
        if not self.crl_path.exists():
            raise Refused("失効リストがありません", field="certificate")
        found = self.crl_path.stat()
        stamp = (found.st_ino, found.st_mtime_ns)  # each write is a new file (`_write_crl`)
        if self._crl is None or self._crl[0] != stamp:
            crl = x509.load_pem_x509_crl(self.crl_path.read_bytes())
            if not crl.is_signature_valid(self.ca_cert().public_key()):  # type: ignore[arg-type]
                raise Refused("失効リストの署名が正しくありません", field="certificate")
            self._crl = (stamp, crl)
        crl = self._crl[1]
        if crl.next_update_utc is not None and crl.next_update_utc < _now():
            raise Refused("失効リストの有効期限が切れています", field="certificate")
        return crl

    def refresh_crl(self) -> None:
        """Re-sign the CRL (same entries) when it is missing or past half its life."""
        if self.crl_path.exists():
            crl = x509.load_pem_x509_crl(self.crl_path.read_bytes())
            half = crl.last_update_utc + CRL_VALIDITY / 2
            if _now() < half:
                return
            self._write_crl(self.ca(), list(crl))
        else:
            self._write_crl(self.ca(), [])

    def revoke(self, name: str, kind: str = "node", reason: str = "key_compromise") -> int:
        """Put the certificate of `name` on the CRL; its serial number."""
        cert_path = (self.node_paths(name) if kind == "node" else self.tls_paths(name))[0]
        if not cert_path.exists():
            raise Refused(f"証明書がありません: {name}", field="name")
        serial = load_certificate(cert_path.read_bytes()).serial_number
        entries = list(x509.load_pem_x509_crl(self.crl_path.read_bytes()))
        if any(e.serial_number == serial for e in entries):
            return serial
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(_now())
            .add_extension(x509.CRLReason(x509.ReasonFlags[reason]), critical=False)
            .build()
        )
        self._write_crl(self.ca(), [*entries, entry])
        return serial

    def _write_crl(self, ca: CertificateAuthority, entries: list[x509.RevokedCertificate]) -> None:
        crl = ca.crl(entries)
        temporary = self.crl_path.with_suffix(f".{os.getpid()}.tmp")  # processes may race
        self._write(temporary, crl.public_bytes(serialization.Encoding.PEM))
        temporary.replace(self.crl_path)  # readers see the old list or the new, never half

    # --- issue and renew ------------------------------------------------------------------

    def expires_soon(self, cert_path: Path) -> bool:
        cert = load_certificate(cert_path.read_bytes())
        return cert.not_valid_after_utc - _now() < RENEW_BEFORE

    def renew(self, name: str, kind: str = "node") -> x509.Certificate:
        """A new key and certificate for `name` (the old certificate stays valid until it
        expires or is revoked; a running node signs with the new one from its next start)."""
        ca = self.ca()
        if kind == "node":
            cert_path, key_path = self.node_paths(name)
            if cert_path.exists():  # kept: what the old key signed is checked against it
                old = load_certificate(cert_path.read_bytes())
                self._write(self._past_dir(name) / f"{old.serial_number:x}.pem", _pem(old))
            node_key, cert = ca.issue_node(name)
            key_pem = _key_pem(node_key)
        else:
            cert_path, key_path = self.tls_paths(name)
            tls_key, cert = ca.issue_tls(name)
            key_pem = _key_pem(tls_key)
        self._write(key_path, key_pem, secret=True)
        self._write(cert_path, _pem(cert))
        return cert

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
            if self.expires_soon(cert_path):
                self.renew(node_id)
            return
        key, cert = (ca or self.ca()).issue_node(node_id)
        self._write(key_path, _key_pem(key), secret=True)
        self._write(cert_path, _pem(cert))

    def ensure_tls(self, name: str, ca: CertificateAuthority | None = None) -> None:
        cert_path, key_path = self.tls_paths(name)
        if cert_path.exists():
            if self.expires_soon(cert_path):
                self.renew(name, "tls")
            return
        key, cert = (ca or self.ca()).issue_tls(name)
        self._write(key_path, _key_pem(key), secret=True)
        self._write(cert_path, _pem(cert))

    def _past_dir(self, node_id: str) -> Path:
        return self.root / "nodes" / "past" / _safe(node_id)

    def past_node_certificates(self, node_id: str) -> list[bytes]:
        """The node's earlier signing certificates (renewed), oldest first by file name."""
        folder = self._past_dir(node_id)
        return [p.read_bytes() for p in sorted(folder.glob("*.pem"))] if folder.exists() else []

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
        self._check_revocations(context)
        return context

    def client_context(self, name: str) -> ssl.SSLContext:
        cert_path, key_path = self.tls_paths(name)
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_cert_path))
        context.load_cert_chain(str(cert_path), str(key_path))
        self._check_revocations(context)
        return context

    def _check_revocations(self, context: ssl.SSLContext) -> None:
        """The peer's TLS certificate checked against the CRL as it is when the process
        starts (a revocation reaches TLS at the next start; envelope signatures at once)."""
        self.refresh_crl()  # never without one: the check would be off (fail closed)
        context.load_verify_locations(cafile=str(self.crl_path))
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF

    @staticmethod
    def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
        """Write a file; a key through `write_private` (0600 in a 0700 folder, issue #14)."""
        if secret:
            write_private(path, data)
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_bytes(data)
