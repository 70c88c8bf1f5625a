# The trigram index that finds customers by part of their code or name on PostgreSQL (the feedback search's
# "complaints of customers named ..."); nothing on SQLite. pg_trgm is created by feedback 0005.

from django.db import migrations

from qms.core.search_index import AddSearchIndex


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_contact_email_ci_index'),
        ('feedback', '0005_feedbackitem_search_index'),
    ]

    operations = [
        AddSearchIndex(model_name='customer', name='customer_search', fields=('code', 'name')),
    ]
