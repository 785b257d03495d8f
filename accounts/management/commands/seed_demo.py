import os

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.credentials import save_credential
from accounts.models import ApiCredential, Membership, Team, User

DEMO_TEAM = "Demo team"


class Command(BaseCommand):
    help = (
        "Create or refresh the demo team: owner demo@example.com, member "
        "member@example.com (password from DEMO_PASSWORD) and credentials for "
        "the simulator's demo account."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "techjobs-demo"),
            help="Password of the demo users; DEMO_PASSWORD or techjobs-demo if unset.",
        )
        parser.add_argument("--client-id", default="demo-client")
        parser.add_argument("--client-secret", default="demo-secret")

    @transaction.atomic
    def handle(self, *args, password, client_id, client_secret, **options):
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)

        owner = self._user("demo@example.com", "Demo Owner", password, staff=True)
        member = self._user("member@example.com", "Demo Member", password, staff=False)
        Membership.objects.update_or_create(
            team=team, user=owner, defaults={"role": Membership.Role.OWNER}
        )
        Membership.objects.update_or_create(
            team=team, user=member, defaults={"role": Membership.Role.MEMBER}
        )

        # An unchanged secret is passed as blank, which keeps the stored one, so
        # running this again records no change.
        stored = ApiCredential.objects.filter(team=team).first()
        if stored and stored.client_secret == client_secret:
            client_secret = ""
        save_credential(
            team=team, user=owner, client_id=client_id, client_secret=client_secret
        )
        self.stdout.write(
            f"Demo team ready: {owner.email} (owner), {member.email} (member)."
        )

    def _user(self, email, name, password, *, staff):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
        user.full_name = name
        user.is_staff = staff
        user.is_superuser = staff
        user.set_password(password)
        user.save()
        return user
