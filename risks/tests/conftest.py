import pytest


@pytest.fixture
def matrix(db):
    """The matrix in use (the default 5×5), made through the service: transactional tests empty the table
    the data migration filled."""
    from risks.services import active_matrix

    return active_matrix()


@pytest.fixture
def user_in_role(request):
    def _user(role: str):
        return request.getfixturevalue({"admin": "superuser"}.get(role, role))

    return _user
