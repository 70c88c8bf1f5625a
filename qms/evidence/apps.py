from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """Evidence packs for auditors (7.5): the clause map and the export."""

    name = "qms.evidence"
    label = "evidence"
    verbose_name = "Evidence for auditors"

    def ready(self) -> None:
        from qms.core import menu

        menu.register(
            menu.MenuItem("Evidence", "evidence:export_list", "evidence.evidenceexport", action="export", order=95)
        )
