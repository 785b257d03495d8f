import uuid

from django.db import migrations


def fill(apps, schema_editor):
    """Give existing memberships a code, and every team without one a quota row."""
    Membership = apps.get_model("accounts", "Membership")
    Team = apps.get_model("accounts", "Team")
    TeamQuota = apps.get_model("accounts", "TeamQuota")

    for membership in Membership.objects.filter(code=None).only("pk"):
        membership.code = uuid.uuid4()
        membership.save(update_fields=["code"])
    TeamQuota.objects.bulk_create(
        TeamQuota(team=team) for team in Team.objects.filter(quota_row=None)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_teams_credentials_usage")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
