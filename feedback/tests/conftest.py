import importlib

import pytest
from django.apps import apps as django_apps


@pytest.fixture
def shipped(db):
    """The shipped survey templates and settings, as the migration makes them.

    A transactional test that ran before may have emptied the tables the data migration filled.
    """
    from feedback.models import SurveySettings

    migration = importlib.import_module("feedback.migrations.0003_shipped_survey_templates")
    migration.ship_templates(django_apps, None)
    return SurveySettings.objects.get()
