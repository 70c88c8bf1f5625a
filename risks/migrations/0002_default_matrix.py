"""Ship version 1 of the risk matrix (the 5×5 default) so the log can be scored from day one."""

from django.db import migrations


def create_default_matrix(apps, schema_editor):
    from risks.services import DEFAULT_MATRIX

    RiskMatrix = apps.get_model("risks", "RiskMatrix")
    if RiskMatrix.objects.exists():
        return
    RiskMatrix.objects.create(version=1, active=True, **DEFAULT_MATRIX)


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(create_default_matrix, migrations.RunPython.noop)]
