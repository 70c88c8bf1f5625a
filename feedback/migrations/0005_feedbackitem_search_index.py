# The search box's trigram index on PostgreSQL (qms.core.search, qms.core.search_index); nothing on SQLite.

from django.db import migrations

from qms.core.search_index import AddSearchIndex, TrigramExtension


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0004_feedbackitem_feedback_received_id_idx'),
    ]

    operations = [
        TrigramExtension(),
        AddSearchIndex(
            model_name='feedbackitem',
            name='feedback_item_search',
            fields=('reference', 'summary', 'description', 'submitter_name', 'submitter_email', 'product'),
        ),
    ]
