"""Copy each requirements.CorrectiveAction into actions.Action (kind corrective), before requirements
drops its own table. The source is the evaluation when set, else the requirement."""

from django.db import migrations

EVALUATION_RESULTS = {
    "met": "Met",
    "partly_met": "Partly met",
    "not_met": "Not met",
    "not_applicable": "Not applicable",
}
# The requirements register knew open, in_progress, done and cancelled: the same words here.
STATUS_MAP = {"open": "open", "in_progress": "in_progress", "done": "done", "cancelled": "cancelled"}


def copy_corrective_actions(apps, schema_editor):
    CorrectiveAction = apps.get_model("requirements", "CorrectiveAction")
    Action = apps.get_model("actions", "Action")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = CorrectiveAction.objects.select_related("requirement", "evaluation").order_by("pk")
    if not rows.exists():
        return
    requirement_type, _ = ContentType.objects.get_or_create(app_label="requirements", model="requirement")
    evaluation_type, _ = ContentType.objects.get_or_create(app_label="requirements", model="evaluation")
    for old in rows:
        requirement = old.requirement
        if old.evaluation_id:
            evaluation = old.evaluation
            source_type, source_id = evaluation_type, evaluation.pk
            result = EVALUATION_RESULTS.get(evaluation.result, evaluation.result)
            label = f"{requirement.reference} {result} on {evaluation.evaluated_on.isoformat()}"
        else:
            source_type, source_id = requirement_type, requirement.pk
            label = f"{requirement.reference} {requirement.title}"
        action = Action.objects.create(
            kind="corrective",
            title=old.title,
            owner_id=old.owner_id,
            due_date=old.due_date,
            status=STATUS_MAP.get(old.status, "open"),
            source_type=source_type,
            source_id=source_id,
            source_label=label[:255],
        )
        # auto_now_add/auto_now stamped today; keep when the action was really raised and last changed.
        Action.objects.filter(pk=action.pk).update(created_at=old.created_at, updated_at=old.updated_at)


def remove_copied_actions(apps, schema_editor):
    """Going back gives requirements an empty table again: refuse while copied actions exist rather than
    lose that evidence."""
    Action = apps.get_model("actions", "Action")
    if Action.objects.filter(source_type__app_label="requirements").exists():
        raise RuntimeError("Actions raised from requirements exist; they cannot be moved back automatically.")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("requirements", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(copy_corrective_actions, remove_copied_actions)]
