import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_fill_membership_codes_and_quotas")]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
