"""User names follow core.models.users.validate_username; the shared cache's table (the
token endpoint's throttle counts) is made here, so `migrate` is the only setup step."""
from django.core.management import call_command
from django.db import migrations, models

import fangfan.core.models.users


def create_cache_table(apps, schema_editor) -> None:
    """Does nothing when the cache is Redis, or the table exists already."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor) -> None:
    schema_editor.execute(
        f"DROP TABLE IF EXISTS {schema_editor.quote_name('fangfan_cache')}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_notification"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                max_length=150, unique=True,
                validators=[fangfan.core.models.users.validate_username],
                verbose_name="username"),
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
