import pytest
from customers.tests.factories import CustomerFactory, ContactFactory

def test_probe(quality, client_for):
    c = CustomerFactory(code="ACME-01")
    cl = client_for(quality)
    r = cl.post("/customers/new/", {"code": "acme-01", "name": "", "segment": "sme", "status": "active"})
    html = r.content.decode()
    i = html.find("<form method=\"post\"")
    print(html[i:i+3000])
    r = cl.post("/customers/new/", {"code": "new-01", "name": "N", "segment": "sme", "status": "active"}, follow=True)
    print(r.redirect_chain, [str(m) for m in r.context["messages"]])
    r = cl.get("/customers/import/")
    print(r.status_code)
    r = cl.get("/customers/")
    print(r.content.decode()[:600])
