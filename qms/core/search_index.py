"""Migration operations for the search indexes of ``qms.core.search`` (PostgreSQL; nothing elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.operations import TrigramExtension as _TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper

from .search import search_text


class TrigramExtension(_TrigramExtension):
    """``pg_trgm`` on PostgreSQL. Django's own operation is skipped elsewhere when applied, but looks for the
    extension (and fails) on SQLite when unapplied; this one does nothing there either way."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddSearchIndex(migrations.operations.base.Operation):
    """A trigram index on ``search_text(fields)`` of ``model_name`` (PostgreSQL; nothing elsewhere).

    Put ``TrigramExtension()`` before it in the migration. The fields are written into the migration, so
    a later change of a register's search fields needs a new index (and a migration) of its own.
    """

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, name: str, fields: Sequence[str]):
        self.model_name, self.name, self.fields = model_name, name, tuple(fields)

    def state_forwards(self, app_label, state):
        pass  # not part of the model's state: the index exists on PostgreSQL only

    def _index(self):
        from django.contrib.postgres.indexes import GinIndex, OpClass

        return GinIndex(OpClass(Upper(search_text(self.fields)), name="gin_trgm_ops"), name=self.name)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.add_index(model, self._index())
            # Statistics of the indexed text, without which the planner guesses how many rows a word
            # matches (a few hundred, when it may be a third of the table) and sorts them all.
            schema_editor.execute(f"ANALYZE {schema_editor.quote_name(model._meta.db_table)}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = from_state.apps.get_model(app_label, self.model_name)
            schema_editor.remove_index(model, self._index())

    def describe(self):
        return f"Create search index {self.name} on {self.model_name} ({', '.join(self.fields)}), PostgreSQL only"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "name": self.name, "fields": self.fields},
        )
