import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def random_id(length=20):
    """Return a random id of lowercase letters and digits, like InsideView job ids."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
