"""Training hours are counted from training sessions (information 0002 moved the typed
figures into sessions first)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("resources", "0010_funding_hazmat_buses"),
        ("information", "0002_training_hours_into_sessions"),
    ]

    operations = [
        migrations.RemoveField(model_name="person", name="training_hours"),
    ]
