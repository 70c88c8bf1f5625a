from customers.tests.factories import ContactFactory


def test_quality_manager_sees_customer_list(client_for, quality):
    contact = ContactFactory()
    response = client_for(quality).get("/customers/")
    assert response.status_code == 200
    assert contact.customer.name in response.content.decode()
