"""The KPI pages per persona: the list, the definition forms, deletion and one KPI with its values."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.audit.models import AuditEntry
from qms.kpis import services
from qms.kpis.models import Kpi, KpiValue
from qms.kpis.periods import add_periods, period_end, period_start

from .conftest import ROLES
from .factories import KpiFactory, KpiValueFactory

pytestmark = pytest.mark.django_db


def inline_scripts(content: str) -> list[str]:
    """Script elements that carry code in the page (a Content Security Policy would block them)."""
    return [tag for tag in re.findall(r"<script[^>]*>", content) if "src=" not in tag and "application/json" not in tag]


def _definition(owner, **overrides) -> dict:
    data = {
        "name": "First-time-right deliveries",
        "description": "Deliveries accepted without rework.",
        "unit": "%",
        "direction": "higher",
        "target": "95",
        "warning_threshold": "90",
        "frequency": "monthly",
        "owner": owner.pk,
        "source": "entered",
        "figure": "",
        "segment": "",
        "product": "",
        "action_due_days": "30",
        "active": "on",
    }
    data.update(overrides)
    return data


# Who gets which page --------------------------------------------------------------------------------

GET_EXPECTED = {
    "kpi_list": {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 200},
    "kpi_create": {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403},
    "kpi_detail": {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 200},
    "kpi_update": {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403},
    "kpi_delete": {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403},
}


def _kpi_urls(kpi) -> dict[str, str]:
    return {
        "kpi_list": reverse("kpis:kpi_list"),
        "kpi_create": reverse("kpis:kpi_create"),
        "kpi_detail": reverse("kpis:kpi_detail", args=[kpi.pk]),
        "kpi_update": reverse("kpis:kpi_update", args=[kpi.pk]),
        "kpi_delete": reverse("kpis:kpi_delete", args=[kpi.pk]),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(GET_EXPECTED))
def test_get_status_per_persona(client_for, user_for, staff_kpi, name, role):
    response = client_for(user_for(role)).get(_kpi_urls(staff_kpi)[name])
    assert response.status_code == GET_EXPECTED[name][role]
    if role == "anon":
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_only_quality_managers_define_kpis(client_for, user_for, role):
    response = client_for(user_for(role)).post(reverse("kpis:kpi_create"), _definition(user_for("staff")))
    assert response.status_code == 403
    assert not Kpi.objects.exists()


def test_anonymous_post_redirects_to_login(client_for, staff):
    response = client_for(None).post(reverse("kpis:kpi_create"), _definition(staff))
    assert response.status_code == 302
    assert not Kpi.objects.exists()


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_only_quality_managers_edit_or_delete_kpis(client_for, user_for, staff_kpi, role):
    client = client_for(user_for(role))
    edit = client.post(reverse("kpis:kpi_update", args=[staff_kpi.pk]), _definition(user_for("staff"), name="X"))
    delete = client.post(reverse("kpis:kpi_delete", args=[staff_kpi.pk]))
    assert (edit.status_code, delete.status_code) == (403, 403)
    assert Kpi.objects.get(pk=staff_kpi.pk).name == "On-time delivery"


# The list -------------------------------------------------------------------------------------------


def test_list_shows_latest_value_target_status_in_words_and_owner(client_for, quality, staff_kpi):
    last_month = add_periods(period_start(timezone.localdate()), -1)
    KpiValueFactory(kpi=staff_kpi, period_start=add_periods(last_month, -1), value=Decimal("97"), final=True)
    KpiValueFactory(kpi=staff_kpi, period_start=last_month, value=Decimal("80"), final=True)
    response = client_for(quality).get(reverse("kpis:kpi_list"))
    content = response.content.decode()
    assert "On-time delivery" in content
    assert "80.00 %" in content
    assert last_month.strftime("%b %Y") in content
    assert "Red: off target" in content
    assert '<option value="unknown" selected>Any</option>' in content
    assert staff_kpi.owner.display_name in content
    assert "New KPI" in content
    for link in ("KPIs", "Objectives", "Orders", "Import values"):
        assert f">{link}</a>" in content


def test_list_hides_new_kpi_from_those_who_may_not_add(client_for, staff, staff_kpi):
    content = client_for(staff).get(reverse("kpis:kpi_list")).content.decode()
    assert "New KPI" not in content


def test_empty_list_says_what_to_do(client_for, quality, staff):
    assert "Define the first KPI" in client_for(quality).get(reverse("kpis:kpi_list")).content.decode()
    assert "A quality manager defines the KPIs" in client_for(staff).get(reverse("kpis:kpi_list")).content.decode()


def test_list_search_and_filters(client_for, quality, staff, staff_kpi, computed_kpi):
    client = client_for(quality)
    assert computed_kpi.name not in client.get(reverse("kpis:kpi_list"), {"q": "on-time"}).content.decode()
    computed_only = client.get(reverse("kpis:kpi_list"), {"source": "computed"}).content.decode()
    assert computed_kpi.name in computed_only and "On-time delivery" not in computed_only
    by_owner = client.get(reverse("kpis:kpi_list"), {"owner": staff.pk}).content.decode()
    assert "On-time delivery" in by_owner and computed_kpi.name not in by_owner
    inactive = client.get(reverse("kpis:kpi_list"), {"active": "false"}).content.decode()
    assert "On-time delivery" not in inactive


def test_list_sorts_by_target(client_for, quality, staff):
    KpiFactory(name="Alpha", target=Decimal("50"), owner=staff)
    KpiFactory(name="Beta", target=Decimal("10"), owner=staff)
    content = client_for(quality).get(reverse("kpis:kpi_list"), {"sort": "target"}).content.decode()
    assert content.index("Beta") < content.index("Alpha")


def _list_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("kpis:kpi_list"))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["quality", "staff"])
def test_list_query_count_does_not_grow_with_kpis(
    client_for, user_for, staff, django_assert_max_num_queries, role, settings
):
    # Both measurements count the list: a count kept from the warm-up would make the first one query short.
    settings.LIST_COUNT_CACHE_SECONDS = 0
    client = client_for(user_for(role))
    for _ in range(3):
        KpiValueFactory(kpi=KpiFactory(owner=staff))
    client.get(reverse("kpis:kpi_list"))  # warm the session and permission caches
    few = _list_queries(client)
    for _ in range(27):
        KpiValueFactory(kpi=KpiFactory(owner=staff))
    many = _list_queries(client)
    assert few == many
    # Session, user, roles, filter choices, count, page, latest values: pinned.
    with django_assert_max_num_queries(9):
        client.get(reverse("kpis:kpi_list"))


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("management", 200), ("quality", 200), ("staff", 403)])
def test_export_for_those_who_may_export(client_for, user_for, staff_kpi, role, status):
    response = client_for(user_for(role)).get(reverse("kpis:kpi_list"), {"export": "csv"})
    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        assert "On-time delivery" in body and "target" in body


def test_export_xlsx(client_for, auditor, staff_kpi):
    response = client_for(auditor).get(reverse("kpis:kpi_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


# Definition -----------------------------------------------------------------------------------------


def test_quality_manager_defines_an_entered_kpi_with_an_audit_row(client_for, quality, staff):
    response = client_for(quality).post(reverse("kpis:kpi_create"), _definition(staff))
    kpi = Kpi.objects.get(name="First-time-right deliveries")
    assert response.status_code == 302 and response["Location"] == kpi.get_absolute_url()
    assert kpi.owner == staff and kpi.target == Decimal("95")
    assert AuditEntry.objects.for_object(kpi).filter(action="create").count() == 1


def test_quality_manager_defines_a_computed_kpi_on_a_segment(client_for, quality):
    data = _definition(
        quality, name="Enterprise complaints", source="computed", figure="complaints_received", segment="enterprise"
    )
    data.update(direction="lower", target="10", warning_threshold="15")
    response = client_for(quality).post(reverse("kpis:kpi_create"), data)
    assert response.status_code == 302
    kpi = Kpi.objects.get(name="Enterprise complaints")
    assert kpi.figure == "complaints_received" and kpi.segment == "enterprise"


def test_create_form_lists_figures_segments_and_which_take_them(client_for, quality):
    content = client_for(quality).get(reverse("kpis:kpi_create")).content.decode()
    assert 'value="complaints_received"' in content
    assert 'value="enterprise"' in content
    assert "Only this customer segment. Only for these figures: Complaints per 1,000 orders" in content
    assert "Only this product or service. Only for these figures: Complaints per 1,000 orders" in content
    assert "Only for these figures: Complaints per 1,000 orders, Complaints received, Customer satisfaction" in content
    # The form starts with its author as the owner.
    assert f'<option value="{quality.pk}" selected>' in content


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"source": "computed"}, "figure", "Pick the figure a computed KPI is computed from."),
        ({"figure": "complaints_received"}, "figure", "Only computed KPIs take a figure"),
        ({"warning_threshold": "99"}, "warning_threshold", "warning threshold must be at or below the target"),
        ({"segment": "sme"}, "segment", "Only computed KPIs on complaint or survey figures"),
        ({"target": "lots"}, "target", "Enter a number."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_create_refuses_bad_input_naming_the_field(client_for, quality, staff, overrides, field, message):
    response = client_for(quality).post(reverse("kpis:kpi_create"), _definition(staff, **overrides))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert "Deliveries accepted without rework." in response.content.decode()  # what was typed is kept
    assert not Kpi.objects.filter(name="First-time-right deliveries").exists()


def test_update_saves_through_the_service(client_for, quality, staff, staff_kpi):
    data = _definition(staff, name="On-time delivery", target="97", warning_threshold="92")
    response = client_for(quality).post(reverse("kpis:kpi_update", args=[staff_kpi.pk]), data)
    assert response.status_code == 302
    staff_kpi.refresh_from_db()
    assert staff_kpi.target == Decimal("97")
    assert AuditEntry.objects.for_object(staff_kpi).filter(action="update").count() == 1


def test_update_refuses_a_new_frequency_once_values_exist(client_for, quality, staff, staff_kpi):
    KpiValueFactory(kpi=staff_kpi)
    data = _definition(staff, name="On-time delivery", frequency="quarterly")
    response = client_for(quality).post(reverse("kpis:kpi_update", args=[staff_kpi.pk]), data)
    assert response.status_code == 400
    assert "already has values per period" in response.context["form"].errors["frequency"][0]
    assert Kpi.objects.get(pk=staff_kpi.pk).frequency == "monthly"


def test_delete_asks_for_confirmation_then_deletes(client_for, quality, staff_kpi):
    client = client_for(quality)
    confirm = client.get(reverse("kpis:kpi_delete", args=[staff_kpi.pk]))
    assert "Yes, delete" in confirm.content.decode()
    assert Kpi.objects.filter(pk=staff_kpi.pk).exists()
    response = client.post(reverse("kpis:kpi_delete", args=[staff_kpi.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("kpis:kpi_list")
    assert not Kpi.objects.filter(pk=staff_kpi.pk).exists()
    assert AuditEntry.objects.filter(content_type="kpis.kpi", object_id=str(staff_kpi.pk), action="delete").count() == 1


def test_delete_of_a_kpi_with_values_is_refused_and_nothing_lost(client_for, quality, staff_kpi):
    KpiValueFactory(kpi=staff_kpi)
    client = client_for(quality)
    assert "make it inactive" in client.get(reverse("kpis:kpi_delete", args=[staff_kpi.pk])).content.decode()
    response = client.post(reverse("kpis:kpi_delete", args=[staff_kpi.pk]), follow=True)
    assert "recorded values, which are evidence" in response.content.decode()
    assert Kpi.objects.filter(pk=staff_kpi.pk).exists() and KpiValue.objects.filter(kpi=staff_kpi).count() == 1


# One KPI --------------------------------------------------------------------------------------------


def test_detail_shows_chart_data_and_the_same_values_as_a_table(client_for, quality, staff, staff_kpi):
    last_month = add_periods(period_start(timezone.localdate()), -1)
    KpiValueFactory(
        kpi=staff_kpi, period_start=last_month, value=Decimal("91"), final=True, recorded_by=staff, note="From ERP"
    )
    response = client_for(quality).get(reverse("kpis:kpi_detail", args=[staff_kpi.pk]))
    content = response.content.decode()
    chart = json.loads(
        re.search(r'<script id="kpi-chart-data" type="application/json">(.*?)</script>', content).group(1)
    )
    assert chart["target"] == 95.0 and chart["warning"] == 90.0
    assert len(chart["labels"]) == 12 and chart["values"][-2] == 91.0
    assert "js/kpi-chart.js" in content and "chart.umd.min.js" in content
    assert 'id="kpi-values"' in content
    assert "Amber: near target" in content and "Final" in content and "From ERP" in content
    assert staff.display_name in content and "Entered on the form" in content
    assert inline_scripts(content) == []


def test_detail_of_a_computed_kpi_links_each_value_to_its_records(client_for, quality, computed_kpi):
    today = timezone.localdate()
    last_month = add_periods(period_start(today), -1)
    KpiValueFactory(kpi=computed_kpi, period_start=last_month, value=Decimal("12"), origin="computed", final=True)
    KpiValueFactory(kpi=computed_kpi, period_start=period_start(today), value=Decimal("3"), origin="computed")
    content = client_for(quality).get(reverse("kpis:kpi_detail", args=[computed_kpi.pk])).content.decode()
    figure = computed_kpi.registered_figure
    closed = figure.drilldown_url(last_month, period_end(last_month), segment="", product="")
    current = figure.drilldown_url(period_start(today), today, segment="", product="")
    assert f'href="{html.escape(closed)}"' in content
    assert f'href="{html.escape(current)}"' in content
    assert "Nightly job" in content and "To date" in content
    assert "Enter a value" not in content  # computed: nobody enters its values


def test_detail_shows_enter_a_value_to_the_owner_only(client_for, staff, management, staff_kpi):
    url = reverse("kpis:kpi_detail", args=[staff_kpi.pk])
    assert "Enter a value" in client_for(staff).get(url).content.decode()
    assert "Enter a value" not in client_for(management).get(url).content.decode()


def test_detail_period_selector_and_bad_dates(client_for, quality, staff_kpi):
    client = client_for(quality)
    url = reverse("kpis:kpi_detail", args=[staff_kpi.pk])
    response = client.get(url, {"start": "2026-01-01", "end": "2026-03-31"})
    assert [row["label"] for row in response.context["rows"]] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    bad = client.get(url, {"start": "yesterday"})
    assert bad.status_code == 200
    assert "From (“yesterday”) is not a date written YYYY-MM-DD" in bad.content.decode()
    assert len(bad.context["rows"]) == 12


def test_detail_lists_actions_objectives_and_history(client_for, quality, staff_kpi):
    from qms.actions.models import Action

    from .factories import ObjectiveKpiFactory

    staff_kpi.opens_action_on_miss = True
    staff_kpi.save()
    last_month = add_periods(period_start(timezone.localdate()), -1)
    value = services.value_record(actor=quality, kpi=staff_kpi, period_start=last_month, value="70")
    link = ObjectiveKpiFactory(kpi=staff_kpi)
    content = client_for(quality).get(reverse("kpis:kpi_detail", args=[staff_kpi.pk])).content.decode()
    action = Action.objects.get(pk=KpiValue.objects.get(pk=value.pk).action_id)
    assert action.title in content and action.get_absolute_url() in content
    assert link.objective.reference in content
    assert "History" in content


def test_detail_of_an_unknown_kpi_is_404(client_for, quality):
    assert client_for(quality).get(reverse("kpis:kpi_detail", args=[999999])).status_code == 404


def test_detail_refuses_a_range_longer_than_ten_years(client_for, quality, staff_kpi):
    response = client_for(quality).get(reverse("kpis:kpi_detail", args=[staff_kpi.pk]), {"start": "1900-01-01"})
    assert "at most ten years" in response.content.decode()
    assert len(response.context["rows"]) == 12


def test_list_answers_htmx_with_the_results_only(client_for, quality, staff_kpi):
    KpiValueFactory(kpi=staff_kpi, value=Decimal("96"))
    response = client_for(quality).get(reverse("kpis:kpi_list"), {"q": "on-time"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "96.00 %" in content and "Green: on target" in content


def test_detail_range_end_before_start_uses_defaults(client_for, quality, staff_kpi):
    response = client_for(quality).get(
        reverse("kpis:kpi_detail", args=[staff_kpi.pk]), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert "From is after To" in response.content.decode()
    assert response.context["end"] == timezone.localdate()
    assert isinstance(response.context["start"], dt.date)
