from django.core.management.base import BaseCommand, CommandError

from accounts.crypto import CredentialKeyError
from accounts.models import ApiCredential


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored API secret and cached token with the first key "
        "in CREDENTIALS_KEYS. Run it after putting a new key in front; once it "
        "has finished, the old keys can be removed."
    )

    def handle(self, *args, **options):
        rotated = 0
        failed = []
        for credential in ApiCredential.objects.select_related("team").iterator():
            try:
                credential.rotate_keys()
            except CredentialKeyError:
                failed.append(str(credential.team))
                continue
            rotated += 1

        self.stdout.write(f"Re-encrypted {rotated} credential(s) with the newest key.")
        if failed:
            raise CommandError(
                "No key in CREDENTIALS_KEYS decrypts the credential of "
                f"{', '.join(failed)}. Add the key it was encrypted with and run "
                "the command again."
            )
