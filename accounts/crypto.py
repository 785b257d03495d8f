"""Encryption at rest for API secrets, with keys from CREDENTIALS_KEYS."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialKeyError(Exception):
    """No configured key can decrypt a stored secret."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.CREDENTIALS_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialKeyError(
            "A stored secret can't be decrypted with any key in CREDENTIALS_KEYS."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a stored secret with the first (newest) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialKeyError(
            "A stored secret can't be decrypted with any key in CREDENTIALS_KEYS."
        ) from None
