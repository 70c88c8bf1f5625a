"""Every yes/no filter on every page offers "Any" for "no filter", never Django's "Unknown"."""

from __future__ import annotations

import pytest

from tests.test_access import GET_RULES, _url_for, url_kwargs  # noqa: F401 - the fixture


@pytest.mark.django_db
def test_yes_no_filters_read_any_yes_no(personas, url_kwargs, client):  # noqa: F811 - the fixture
    client.force_login(personas["quality"])
    pages_with_a_yes_no_filter = 0
    for name in sorted(GET_RULES):
        if GET_RULES[name].get("quality") != 200:
            continue
        response = client.get(_url_for(name, url_kwargs))
        if response.streaming or not response["Content-Type"].startswith("text/html"):
            continue
        content = response.content.decode()
        assert '<option value="unknown">Unknown</option>' not in content, name
        if '<option value="unknown"' in content:
            assert '<option value="unknown" selected>Any</option>' in content, name
            pages_with_a_yes_no_filter += 1
    assert pages_with_a_yes_no_filter >= 8
