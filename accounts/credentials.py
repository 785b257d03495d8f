"""Setting, replacing and testing a team's InsideView credential.

Every change is recorded as a CredentialChange with who made it. Secrets
reach these functions in plain text, so they are marked sensitive: Django's
error reports show them as stars.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from techjobs.insideview import ApiError, InsideViewClient

from .crypto import CredentialKeyError
from .models import ApiCredential, CredentialChange

logger = logging.getLogger(__name__)

Action = CredentialChange.Action


def mask(last4: str) -> str:
    return f"••••{last4}" if last4 else "none"


@sensitive_variables("client_secret", "signing_secret")
def save_credential(
    *,
    team,
    user,
    client_id: str,
    client_secret: str = "",
    signing_secret: str = "",
    remove_signing_secret: bool = False,
) -> ApiCredential:
    """Create or update the team's credential and record each change.

    A blank client_secret or signing_secret keeps the stored one. Raises
    ValueError when a new credential has no client secret.
    """
    with transaction.atomic():
        credential = ApiCredential.objects.select_for_update().filter(team=team).first()
        changes = []
        if credential is None:
            if not client_secret:
                raise ValueError("A new credential needs its client secret.")
            credential = ApiCredential(team=team, client_id=client_id)
            credential.set_client_secret(client_secret)
            detail = f"client id {client_id}, secret {mask(credential.secret_last4)}"
            changes.append((Action.CREATED, detail))
        else:
            changes += _apply_client_changes(credential, client_id, client_secret)

        if signing_secret:
            credential.set_signing_secret(signing_secret)
            changes.append((Action.SIGNING_SECRET_SET, mask(credential.signing_last4)))
        elif remove_signing_secret and credential.signing_secret_encrypted:
            credential.set_signing_secret("")
            changes.append((Action.SIGNING_SECRET_REMOVED, ""))

        credential.updated_by = user
        credential.save()
        CredentialChange.objects.bulk_create(
            CredentialChange(team=team, user=user, action=action, detail=detail)
            for action, detail in changes
        )

    for action, _ in changes:
        logger.info("team %s: %s by %s", team.code, action.label, user)
    return credential


@sensitive_variables("client_secret")
def _apply_client_changes(credential, client_id, client_secret) -> list:
    changes = []
    if client_id != credential.client_id:
        detail = f"{credential.client_id} to {client_id}"
        credential.client_id = client_id
        # A token belongs to the client that fetched it.
        credential.access_token_encrypted = ""
        credential.access_token_expires_at = None
        changes.append((Action.CLIENT_ID, detail))
    if client_secret:
        before = mask(credential.secret_last4)
        credential.set_client_secret(client_secret)
        after = mask(credential.secret_last4)
        changes.append((Action.CLIENT_SECRET, f"{before} replaced by {after}"))
    return changes


def delete_credential(*, team, user) -> bool:
    """Delete the team's credential and record it; return False if it had none."""
    with transaction.atomic():
        deleted, _ = ApiCredential.objects.filter(team=team).delete()
        if deleted:
            CredentialChange.objects.create(team=team, user=user, action=Action.DELETED)
    return bool(deleted)


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    expires_at: datetime | None = None


def check_connection(credential: ApiCredential) -> ConnectionResult:
    """Fetch a new access token with the credential and report how it went."""
    credential.forget_access_token()
    try:
        InsideViewClient(credential).fetch_token()
    except (ApiError, CredentialKeyError) as exc:
        logger.warning("team %s: connection test failed: %s", credential.team_id, exc)
        return ConnectionResult(ok=False, message=str(exc))
    return ConnectionResult(
        ok=True,
        message="InsideView accepted the credential and issued an access token.",
        expires_at=credential.access_token_expires_at,
    )
