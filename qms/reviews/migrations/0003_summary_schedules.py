"""The two scheduled summaries' beat entries (django-celery-beat rows the quality manager edits)."""

from django.db import migrations


def install(apps, schema_editor):
    from qms.reviews.schedules import install_defaults

    install_defaults(apps.get_model("django_celery_beat", "PeriodicTask"), apps.get_model("django_celery_beat", "CrontabSchedule"))


def remove(apps, schema_editor):
    from qms.reviews.schedules import DEFAULTS

    names = [default.name for default in DEFAULTS.values()]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_summary"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
