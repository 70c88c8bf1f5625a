"""The two survey templates shipped with the portal, and the survey settings pointing at the second.

Idempotent: templates are found by code and version 1 and left alone when present (a quality manager
may have edited them since); the settings row gets the post-complaint template only when it has none.
"""

from django.db import migrations

RELATIONSHIP = {
    "code": "relationship-nps",
    "name": "Customer relationship survey",
    "purpose": "relationship",
    "intro": "Five minutes of your time helps us see what we do well and where we must improve.",
    "thank_you": "Thank you for your answers. We read every one, and act on them.",
    "questions": [
        {"type": "nps", "text": "How likely are you to recommend {organisation} to a colleague?", "required": True},
        {
            "type": "csat",
            "text": "Overall, how satisfied are you with our products and services?",
            "required": True,
        },
        {
            "type": "single",
            "text": "What matters most to you?",
            "required": False,
            "choices": "Quality of the products\nDelivery on time\nPrice\nService and support",
        },
        {"type": "text", "text": "What should we do better?", "required": False},
    ],
}
POST_COMPLAINT = {
    "code": "post-complaint-csat",
    "name": "After your complaint",
    "purpose": "post_complaint",
    "intro": "We have closed your complaint. Tell us how we handled it, so we can handle the next one better.",
    "thank_you": "Thank you for telling us. If something is still wrong, reply to our e-mail.",
    "questions": [
        {"type": "csat", "text": "How satisfied are you with how we handled your complaint?", "required": True},
        {
            "type": "rating",
            "text": "How easy was it to reach the right person?",
            "required": False,
            "scale_max": 5,
            "help_text": "1 = very hard, 5 = very easy",
        },
        {"type": "text", "text": "Anything else?", "required": False},
    ],
}


def ship_templates(apps, schema_editor):
    SurveyTemplate = apps.get_model("feedback", "SurveyTemplate")
    Question = apps.get_model("feedback", "Question")
    SurveySettings = apps.get_model("feedback", "SurveySettings")
    shipped = {}
    for spec in (RELATIONSHIP, POST_COMPLAINT):
        template, created = SurveyTemplate.objects.get_or_create(
            code=spec["code"],
            version=1,
            defaults={key: spec[key] for key in ("name", "purpose", "intro", "thank_you")},
        )
        if created:
            for order, question in enumerate(spec["questions"], start=1):
                Question.objects.create(template=template, order=order, **question)
        shipped[spec["code"]] = template
    row = SurveySettings.objects.order_by("pk").first()
    if row is None:
        SurveySettings.objects.create(
            post_complaint_enabled=True, post_complaint_template=shipped["post-complaint-csat"]
        )
    elif row.post_complaint_template_id is None:
        row.post_complaint_template = shipped["post-complaint-csat"]
        row.save(update_fields=["post_complaint_template"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_surveys"),
    ]

    operations = [
        migrations.RunPython(ship_templates, migrations.RunPython.noop),
    ]
