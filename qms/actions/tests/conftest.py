import pytest


@pytest.fixture
def user_in_role(request):
    """``user_in_role("staff")``: that one persona, without creating every other."""

    def _user(role: str):
        return request.getfixturevalue({"admin": "superuser"}.get(role, role))

    return _user


def action_entries(action) -> int:
    from qms.audit.models import AuditEntry

    return AuditEntry.objects.filter(content_type="actions.action", object_id=str(action.pk)).count()
