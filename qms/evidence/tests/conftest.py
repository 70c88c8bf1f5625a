import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def period():
    today = timezone.localdate()
    return today - dt.timedelta(days=30), today


@pytest.fixture
def records(db, quality):
    """Hand-made records of five registers; a complaint and a requirement each with a file."""
    from customers.tests.factories import CustomerFactory
    from feedback.models import Attachment as FeedbackAttachment
    from feedback.tests.factories import FeedbackItemFactory
    from qms.actions.tests.factories import ActionFactory
    from requirements.models import Attachment as RequirementAttachment
    from requirements.tests.factories import RequirementFactory
    from risks.tests.factories import RiskEntryFactory

    customer = CustomerFactory(code="ACME-01", name="Acme")
    complaint = FeedbackItemFactory(customer=customer, summary="Late delivery of order 17")
    complaint_file = FeedbackAttachment(item=complaint, original_name="photo.txt", size=11, uploaded_by=quality)
    complaint_file.file.save("photo.txt", ContentFile(b"broken box\n"), save=False)
    complaint_file.save()
    requirement = RequirementFactory(customer=customer, title="Certificate of conformity")
    requirement_file = RequirementAttachment(
        requirement=requirement, original_name="contract.txt", size=9, uploaded_by=quality
    )
    requirement_file.file.save("contract.txt", ContentFile(b"clause 7\n"), save=False)
    requirement_file.save()
    risk = RiskEntryFactory(title="Single supplier of packaging")
    action = ActionFactory(title="Qualify a second supplier", source=complaint)
    return {
        "customer": customer,
        "complaint": complaint,
        "complaint_file": complaint_file,
        "requirement": requirement,
        "requirement_file": requirement_file,
        "risk": risk,
        "action": action,
    }


@pytest.fixture
def build_pack(period):
    """``build_pack(user, clauses=None)``: create an export as ``user`` and build it in-process."""
    from qms.evidence.registry import CLAUSES
    from qms.evidence.services import evidence_pack_build, export_create

    def build(user, clauses=None):
        export = export_create(actor=user, start=period[0], end=period[1], clauses=clauses or list(CLAUSES))
        evidence_pack_build(export_id=export.pk)
        export.refresh_from_db()
        return export

    return build
