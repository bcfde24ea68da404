"""Public keys and X.509 certificates as IAM receives them: PEM, DER and OpenSSH text.

iamdesk has no cryptography library, so this module reads only what IAM's operations need, with
the standard library: the PEM armour, the DER tree (tag, length, value), a certificate's validity
dates and subject public key, an RSA key's modulus, and OpenSSH ``ssh-rsa`` keys. Signatures and
certificate chains are not verified (IAM itself does not verify a chain either; it only checks
that each part is a well-formed certificate). Inputs are bounded by the callers (IAM's 16 KB and
2 MB limits) and every length read is checked against the bytes that remain, so a hostile
document fails with ``KeyFormatError`` and never reads past its end or recurses without bound.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_DEPTH = 16  # certificates nest about 6 levels; anything deeper is not one
RSA_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1 rsaEncryption
_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]*?)\s*-----END \1-----", re.DOTALL
)


class KeyFormatError(ValueError):
    """The text is not the key or certificate it claims to be."""


@dataclass(frozen=True)
class Der:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list[Der]:
        return read_der_sequence(self.value)


def _read_one(data: bytes, at: int) -> tuple[Der, int]:
    if at + 2 > len(data):
        raise KeyFormatError("truncated DER element")
    tag = data[at]
    if tag & 0x1F == 0x1F:
        raise KeyFormatError("multi-byte DER tags are not used in certificates")
    length = data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            raise KeyFormatError("bad DER length")
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > len(data):
        raise KeyFormatError("DER element runs past the end of its container")
    return Der(tag, data[at : at + length]), at + length


def read_der_sequence(data: bytes) -> list[Der]:
    items: list[Der] = []
    at = 0
    while at < len(data):
        item, at = _read_one(data, at)
        items.append(item)
    return items


def read_der(data: bytes) -> Der:
    item, end = _read_one(data, 0)
    if end != len(data):
        raise KeyFormatError("bytes after the DER structure")
    return item


def pem_blocks(text: str) -> list[tuple[str, bytes]]:
    """Every ``-----BEGIN LABEL-----`` block of ``text`` as (label, DER bytes)."""
    blocks: list[tuple[str, bytes]] = []
    for match in _PEM.finditer(text):
        try:
            body = base64.b64decode("".join(match.group(2).split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyFormatError(f"the {match.group(1)} block is not base64") from exc
        if not body:
            raise KeyFormatError(f"the {match.group(1)} block is empty")
        blocks.append((match.group(1), body))
    return blocks


# --- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    der: bytes
    not_before: datetime
    not_after: datetime
    public_key: bytes  # the SubjectPublicKeyInfo, DER

    @property
    def rsa_modulus(self) -> int | None:
        return spki_rsa_modulus(self.public_key)


def _time(item: Der) -> datetime:
    text = item.value.decode("ascii", "replace")
    try:
        if item.tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
            moment = datetime.strptime(text, "%y%m%d%H%M%SZ")
        elif item.tag == 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
            moment = datetime.strptime(text, "%Y%m%d%H%M%SZ")
        else:
            raise KeyFormatError("a validity date is not a time")
    except ValueError as exc:
        raise KeyFormatError(f"bad validity date {text[:20]!r}") from exc
    return moment.replace(tzinfo=UTC)


def parse_certificate(der: bytes) -> Certificate:
    """An X.509 certificate's validity and public key (its signature is not checked)."""
    root = read_der(der)
    parts = root.children() if root.tag == 0x30 else []
    if len(parts) != 3 or parts[0].tag != 0x30:
        raise KeyFormatError("not an X.509 certificate")
    tbs = parts[0].children()
    if tbs and tbs[0].tag == 0xA0:  # [0] version
        tbs = tbs[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    if len(tbs) < 6 or tbs[0].tag != 0x02 or tbs[3].tag != 0x30 or tbs[5].tag != 0x30:
        raise KeyFormatError("not an X.509 certificate")
    validity = tbs[3].children()
    if len(validity) != 2:
        raise KeyFormatError("bad certificate validity")
    key = tbs[5]
    spki = bytes([key.tag]) + _length(len(key.value)) + key.value
    return Certificate(der, _time(validity[0]), _time(validity[1]), spki)


def parse_pem_certificates(text: str, label: str = "CERTIFICATE") -> list[Certificate]:
    blocks = pem_blocks(text)
    if not blocks or any(name != label for name, _ in blocks):
        raise KeyFormatError("expected PEM-encoded certificates")
    return [parse_certificate(body) for _, body in blocks]


# --- RSA keys ---------------------------------------------------------------------------------


def _integer(item: Der) -> int:
    if item.tag != 0x02 or not item.value:
        raise KeyFormatError("expected an INTEGER")
    return int.from_bytes(item.value, "big", signed=True)


def spki_rsa_modulus(spki: bytes) -> int | None:
    """The modulus of an RSA SubjectPublicKeyInfo; None for other key types."""
    parts = read_der(spki).children()
    if len(parts) != 2 or parts[0].tag != 0x30 or parts[1].tag != 0x03:
        raise KeyFormatError("bad public key")
    algorithm = parts[0].children()
    if not algorithm or algorithm[0].tag != 0x06:
        raise KeyFormatError("bad public key algorithm")
    if algorithm[0].value != RSA_OID:
        return None
    bits = parts[1].value[1:]  # first byte: unused bits (0)
    numbers = read_der(bits).children()
    if len(numbers) != 2:
        raise KeyFormatError("bad RSA public key")
    return _integer(numbers[0])


def private_key_rsa_modulus(text: str) -> int | None:
    """The modulus of a PEM private key (PKCS#1 or PKCS#8); None for a non-RSA key."""
    blocks = pem_blocks(text)
    if len(blocks) != 1 or not blocks[0][0].endswith("PRIVATE KEY"):
        raise KeyFormatError("expected one PEM-encoded private key")
    label, body = blocks[0]
    if label == "ENCRYPTED PRIVATE KEY":
        raise KeyFormatError("the private key is encrypted")
    root = read_der(body)
    parts = root.children()
    if label == "PRIVATE KEY":  # PKCS#8: version, algorithm, OCTET STRING(key)
        if len(parts) < 3 or parts[1].tag != 0x30 or parts[2].tag != 0x04:
            raise KeyFormatError("bad PKCS#8 private key")
        algorithm = parts[1].children()
        if not algorithm or algorithm[0].value != RSA_OID:
            return None
        parts = read_der(parts[2].value).children()
    elif label != "RSA PRIVATE KEY":
        return None  # EC and other keys: structure checked only
    if len(parts) < 3:
        raise KeyFormatError("bad RSA private key")
    return _integer(parts[1])


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _length(len(value)) + value


def _der_integer(n: int) -> bytes:
    return _der(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


def rsa_spki(modulus: int, exponent: int) -> bytes:
    """The DER SubjectPublicKeyInfo of an RSA public key."""
    algorithm = _der(0x30, _der(0x06, RSA_OID) + b"\x05\x00")
    key = _der(0x30, _der_integer(modulus) + _der_integer(exponent))
    return _der(0x30, algorithm + _der(0x03, b"\x00" + key))


def pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


# --- SSH public keys --------------------------------------------------------------------------


@dataclass(frozen=True)
class SshPublicKey:
    modulus: int
    exponent: int

    @property
    def bits(self) -> int:
        return self.modulus.bit_length()

    def blob(self) -> bytes:
        def mpint(n: int) -> bytes:
            raw = n.to_bytes(n.bit_length() // 8 + 1, "big")
            return len(raw).to_bytes(4, "big") + raw

        name = b"ssh-rsa"
        return len(name).to_bytes(4, "big") + name + mpint(self.exponent) + mpint(self.modulus)

    def openssh(self) -> str:
        return "ssh-rsa " + base64.b64encode(self.blob()).decode("ascii")

    def pem(self) -> str:
        return pem("PUBLIC KEY", rsa_spki(self.modulus, self.exponent))

    def fingerprint(self) -> str:
        """The MD5 fingerprint IAM shows (``c4:ab:...``, 16 colon-separated pairs)."""
        digest = hashlib.md5(self.blob(), usedforsecurity=False).hexdigest()
        return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _ssh_fields(blob: bytes) -> list[bytes]:
    fields: list[bytes] = []
    at = 0
    while at < len(blob):
        if at + 4 > len(blob) or len(fields) > 8:
            raise KeyFormatError("bad SSH key encoding")
        size = int.from_bytes(blob[at : at + 4], "big")
        if at + 4 + size > len(blob):
            raise KeyFormatError("bad SSH key encoding")
        fields.append(blob[at + 4 : at + 4 + size])
        at += 4 + size
    return fields


def parse_ssh_public_key(text: str) -> SshPublicKey:
    """An RSA public key in OpenSSH (``ssh-rsa AAAA... comment``) or PEM (``PUBLIC KEY`` /
    ``RSA PUBLIC KEY``) encoding, the two encodings IAM accepts."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        blocks = pem_blocks(stripped)
        if len(blocks) != 1:
            raise KeyFormatError("expected one PEM public key")
        label, body = blocks[0]
        if label == "PUBLIC KEY":
            parts = read_der(body).children()
            if len(parts) != 2 or parts[1].tag != 0x03 or spki_rsa_modulus(body) is None:
                raise KeyFormatError("not an RSA public key")
            numbers = read_der(parts[1].value[1:]).children()
        elif label == "RSA PUBLIC KEY":
            numbers = read_der(body).children()
        else:
            raise KeyFormatError("not a public key")
        if len(numbers) != 2:
            raise KeyFormatError("bad RSA public key")
        return SshPublicKey(_integer(numbers[0]), _integer(numbers[1]))
    words = stripped.split()
    if len(words) < 2 or words[0] != "ssh-rsa":
        raise KeyFormatError("not an ssh-rsa key")
    try:
        blob = base64.b64decode(words[1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("the key is not base64") from exc
    fields = _ssh_fields(blob)
    if len(fields) != 3 or fields[0] != b"ssh-rsa":
        raise KeyFormatError("not an ssh-rsa key")
    exponent = int.from_bytes(fields[1], "big")
    modulus = int.from_bytes(fields[2], "big")
    if exponent < 3 or modulus <= 0:
        raise KeyFormatError("bad RSA numbers")
    return SshPublicKey(modulus, exponent)
