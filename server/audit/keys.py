"""The Ed25519 key that signs the audit trail's seals: a file outside the database.

Whoever can write to the database can rewrite the hash chain and recompute it; they cannot
sign a seal without this file. A site keeps the public key elsewhere (`stepwise audit
public-key`) and verifies against it, so even a replaced key file is caught.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.canonical import sha256_hex


class SealKeyUnusable(ValueError):
    """A key file that cannot be read as an Ed25519 key; the message names the file."""


@dataclass(frozen=True)
class SealVerifier:
    """A public key that checks seals, and its id (SHA-256 of the raw key, hex)."""

    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return sha256_hex(raw.hex())

    def pem(self) -> str:
        """The public key as PEM text, to print and keep."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verifies(self, signature_hex: str, message: str) -> bool:
        """Whether `signature_hex` is this key's signature of `message`."""
        try:
            self.public_key.verify(bytes.fromhex(signature_hex), message.encode("utf-8"))
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SealKey:
    """The private key that signs seals."""

    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> SealVerifier:
        return SealVerifier(self.private_key.public_key())

    def sign(self, message: str) -> str:
        """The signature of `message`, hex."""
        return self.private_key.sign(message.encode("utf-8")).hex()


def load_or_create_key(path: Path) -> SealKey:
    """The key in `path`, created (mode 0600, never overwritten) when the file is absent."""
    try:
        return load_key(path)
    except FileNotFoundError:
        pass
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_key(path)  # another process created it first
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return SealKey(key)


def load_key(path: Path) -> SealKey:
    """The key in `path` (FileNotFoundError when there is none)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise SealKeyUnusable(f"{path}: not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SealKeyUnusable(f"{path}: not an Ed25519 key")
    return SealKey(key)


def load_public_key(path: Path) -> SealVerifier:
    """A public key kept by the site (PEM), to verify seals against."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except ValueError as exc:
        raise SealKeyUnusable(f"{path}: not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SealKeyUnusable(f"{path}: not an Ed25519 public key")
    return SealVerifier(key)
