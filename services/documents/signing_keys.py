"""The issuer's signing key and certificate, and the trust root the 文书查验 page checks signatures against.

Configured (``GC_SIGNING_PKCS12`` + ``GC_SIGNING_PKCS12_PASSPHRASE``, trusted up to ``GC_SIGNING_TRUST_ROOT``):
the organisation's own certificate from its CA. Not configured (demo, tests): a **demo CA** and an organisation
certificate named after ``GC_ISSUER_NAME`` are generated once into ``data_dir/signing/`` and marked
演示证书，不具法律效力 in their organisational unit, so nobody mistakes them for a real 电子签章.

Generation is safe when several processes start at once: each writes a complete set into its own temporary
folder and renames it into place; a rename onto an existing folder fails, the loser discards its set and
everybody loads the one that won. This module must not sign or validate (``services.documents.signing``).
"""

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign import signers

from services.core.settings import get_settings

DEMO_MARK = "演示证书，不具法律效力"
DEMO_CA_NAME = "绿色通道演示根证书"
CA_FILE, CERT_FILE, KEY_FILE = "demo-ca.pem", "signer.pem", "signer-key.pem"
# wide enough for any date a test's clock may pick; a demo certificate, not a real one
VALID_FROM, VALID_UNTIL = datetime(2020, 1, 1, tzinfo=UTC), datetime(2070, 1, 1, tzinfo=UTC)


class SigningConfigError(RuntimeError):
    """The configured key, certificate or trust root cannot be read."""


@dataclass(frozen=True)
class SigningIdentity:
    signer: signers.SimpleSigner
    trust_roots: tuple[asn1_x509.Certificate, ...]
    demo: bool

    @property
    def subject(self) -> str:
        return subject_name(self.signer.signing_cert)


def subject_name(cert: asn1_x509.Certificate) -> str:
    """The certificate's organisation, common name and unit as people read them (``O / CN / OU``, repeats once)."""
    names = cert.subject.native
    parts = [names.get("organization_name"), names.get("common_name"), names.get("organizational_unit_name")]
    seen = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
    return " / ".join(str(p) for p in seen) or cert.subject.human_friendly


def identity() -> SigningIdentity:
    s = get_settings()
    return _identity(str(s.data_dir), s.issuer_name, s.signing_pkcs12, s.signing_pkcs12_passphrase,
                     s.signing_trust_root)


@lru_cache(maxsize=8)
def _identity(data_dir: str, issuer_name: str, pkcs12: str, passphrase: str, trust_root: str) -> SigningIdentity:
    if pkcs12:
        return from_pkcs12(Path(pkcs12), passphrase, trust_root)
    folder = demo_folder(Path(data_dir), issuer_name)
    signer = signers.SimpleSigner.load(str(folder / KEY_FILE), str(folder / CERT_FILE),
                                       ca_chain_files=(str(folder / CA_FILE),))
    if signer is None:
        raise SigningConfigError(f"演示签章证书无法读取：{folder}")
    # every demo CA of this data folder: documents signed before the issuer's name changed stay verifiable
    earlier = sorted(p for p in folder.parent.glob(f"demo-*/{CA_FILE}") if p.parent != folder)
    roots = tuple(load_cert_from_pemder(str(p)) for p in (folder / CA_FILE, *earlier))
    return SigningIdentity(signer=signer, trust_roots=roots, demo=True)


def from_pkcs12(path: Path, passphrase: str = "", trust_root: str = "") -> SigningIdentity:
    """An organisation's own key and certificate (``GC_SIGNING_PKCS12``), trusted up to ``trust_root`` (PEM/DER)."""
    if not path.is_file():
        raise SigningConfigError(f"签章证书文件不存在：{path}（GC_SIGNING_PKCS12）")
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase.encode() or None)
    if signer is None:
        raise SigningConfigError(f"签章证书文件无法读取（口令错误或格式不符）：{path}")
    if trust_root:
        roots: tuple[asn1_x509.Certificate, ...] = (load_cert_from_pemder(trust_root),)
    else:  # the self-signed certificates delivered with the key, else the signing certificate itself
        bundled = tuple(c for c in signer.cert_registry if c.self_signed)
        roots = bundled or (signer.signing_cert,)
    return SigningIdentity(signer=signer, trust_roots=roots, demo=False)


def demo_folder(data_dir: Path, issuer_name: str) -> Path:
    """The demo CA and certificate for this issuer name, generated on first use (once, across processes)."""
    parent = data_dir / "signing"
    folder = parent / f"demo-{hashlib.sha256(issuer_name.encode()).hexdigest()[:12]}"
    if (folder / KEY_FILE).exists():
        return folder
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=parent))
    try:
        _write_demo_set(staging, issuer_name)
        os.rename(staging, folder)  # atomic; fails when another process got there first
    except OSError:
        if not (folder / KEY_FILE).exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _write_demo_set(folder: Path, issuer_name: str) -> None:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(DEMO_CA_NAME, issuer_name)
    ca_cert = (_builder(ca_name, ca_name, ca_key.public_key())
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(_key_usage(sign=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (_builder(_name(issuer_name, issuer_name), ca_name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(sign=True), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / CA_FILE).write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = folder / KEY_FILE
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)


def _name(common_name: str, organisation: str) -> x509.Name:
    """A demo name: the unit says 演示证书，不具法律效力 (each attribute holds at most 64 bytes of UTF-8)."""
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(organisation)),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
                      x509.NameAttribute(NameOID.COMMON_NAME, _cut(common_name))])


def _cut(text: str) -> str:
    return text.encode()[:64].decode(errors="ignore")


def _builder(subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(VALID_FROM).not_valid_after(VALID_UNTIL)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _key_usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=sign, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not sign, crl_sign=not sign,
                         encipher_only=False, decipher_only=False)
