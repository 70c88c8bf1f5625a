"""Sign in, sign out, password change and reset by e-mail, API tokens."""

from __future__ import annotations

import re

import pytest
from django.core import mail


@pytest.mark.django_db
def test_sign_in_with_the_form_lands_on_home(client, quality):
    response = client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Welcome, Quality Tester" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_says_so_and_signs_nobody_in(client, quality):
    response = client.post("/accounts/login/", {"username": "quality", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_pages_send_anonymous_users_to_sign_in(client):
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/customers/"


@pytest.mark.django_db
def test_sign_out_is_a_post(client_for, quality):
    client = client_for(quality)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_change(client_for, quality):
    client = client_for(quality)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-quality",
            "new_password1": "Fresh-Pass-2026",
            "new_password2": "Fresh-Pass-2026",
        },
    )
    assert response.status_code == 302
    quality.refresh_from_db()
    assert quality.check_password("Fresh-Pass-2026")


@pytest.mark.django_db
def test_password_change_rejects_a_weak_password_naming_the_field(client_for, quality):
    response = client_for(quality).post(
        "/accounts/password/change/",
        {"old_password": "pw-quality", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors


@pytest.mark.django_db
def test_password_reset_by_email_lets_the_user_choose_a_new_password(client, quality):
    response = client.post("/accounts/password/reset/", {"email": "quality@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["quality@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Brand-New-2026", "new_password2": "Brand-New-2026"})
    assert done.status_code == 302
    quality.refresh_from_db()
    assert quality.check_password("Brand-New-2026")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_api_token_for_username_and_password(client, quality):
    response = client.post("/api/v1/auth/token/", {"username": "quality", "password": "pw-quality"})
    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200


@pytest.mark.django_db
def test_api_token_refused_for_a_wrong_password_with_a_message(client, quality):
    response = client.post("/api/v1/auth/token/", {"username": "quality", "password": "nope"})
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["detail"]


@pytest.mark.django_db
def test_anonymous_api_call_gets_401_with_a_message(client):
    response = client.get("/api/v1/customers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials were not provided" in response.json()["detail"]
