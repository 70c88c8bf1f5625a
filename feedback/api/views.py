"""The feedback register's API: the same services and permission engine as the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action as viewset_action
from rest_framework.response import Response

from customers.models import Customer
from qms.core.api import RegisterViewSet
from qms.core.serializers import prefetched, with_related_ids

from .. import services
from ..filters import FeedbackItemFilterSet
from ..models import Answer, Campaign, Category, FeedbackItem, Invitation, Question, SurveyResponse, SurveyTemplate
from ..services import survey_delivery, surveys
from ..survey_filters import CampaignFilterSet, InvitationFilterSet, SurveyResponseFilterSet, SurveyTemplateFilterSet
from .serializers import (
    CampaignDetailSerializer,
    CampaignSerializer,
    FeedbackCategorySerializer,
    FeedbackItemSerializer,
    FeedbackTransitionInputSerializer,
    InvitationSerializer,
    SurveyResponseSerializer,
    SurveyTemplateDetailSerializer,
    SurveyTemplateSerializer,
)


class FeedbackItemViewSet(RegisterViewSet):
    """Feedback and complaints: list (``q``, ``kind``, ``status``, ``open``, ``overdue``... ``ordering``), read,
    log (POST), change (PATCH) and POST ``{id}/transition/`` to move one along the workflow. Feedback is
    evidence: it is withdrawn or rejected, never deleted. Staff see what they logged or are assigned."""

    queryset = FeedbackItem.objects.all()
    serializer_class = FeedbackItemSerializer
    filterset_class = FeedbackItemFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The services decide: the assignee may change the working fields and take the working steps.
    permission_actions = {"transition": "view", "partial_update": "view"}
    ordering_fields = [
        "reference",
        "received_at",
        "status",
        "severity",
        "acknowledge_due_at",
        "resolve_due_at",
        "updated_at",
    ]
    ordering = ["-received_at"]
    list_related_columns = {
        "customer": ("code",),
        "category": ("name",),
        "logged_by": ("username",),
        "assignee": ("username",),
    }

    def get_queryset(self):
        if self.action in self.permission_actions:
            return self.restricted_queryset("view")
        return super().get_queryset()

    def restricted_queryset(self, action):
        items = (
            FeedbackItem.objects.restrict(self.request.user, action)
            .select_related("customer", "category", "logged_by", "assignee")
            .prefetch_related(prefetched("transitions"))
            .order_by("-received_at", "-pk")
        )
        return with_related_ids(items, "requirements")

    def _fresh(self, item: FeedbackItem) -> FeedbackItem:
        # The response shows the history and hints, read again after the service's writes.
        return self.restricted_queryset("view").get(pk=item.pk)

    def create_record(self, data):
        return self._fresh(services.feedback_log(actor=self.request.user, data=data))

    def update_record(self, instance, data):
        return self._fresh(services.feedback_update(actor=self.request.user, item=instance, data=data))

    @extend_schema(request=FeedbackTransitionInputSerializer, responses=FeedbackItemSerializer)
    @viewset_action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Acknowledge, investigate, propose_response, revise, resolve, close, await_customer, resume,
        withdraw, reject or reopen; refused with 400 naming ``transition`` (or the missing field)."""
        item = self.get_object()
        if not services.may_work_on(request.user, item):
            raise exceptions.PermissionDenied("Only the person assigned, or a quality manager, may take steps on it.")
        payload = FeedbackTransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        name = data.pop("transition")
        services.feedback_transition(actor=request.user, item=item, name=name, **data)
        return Response(self.get_serializer(self._fresh(item)).data)


class FeedbackCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Complaint categories (read only; quality managers keep them on the settings page)."""

    queryset = Category.objects.all()
    serializer_class = FeedbackCategorySerializer
    filterset_fields = ["active"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        return Category.objects.restrict(self.request.user, "view").order_by("name", "pk")


# Surveys (9.1.2) -------------------------------------------------------------------------------------


class SurveyTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey templates, every version (``current=true`` for the ones in use); a template's detail lists
    its questions in order. Quality managers edit them on the survey pages."""

    queryset = SurveyTemplate.objects.all()
    filterset_class = SurveyTemplateFilterSet
    ordering_fields = ["name", "code", "version", "updated_at"]
    ordering = ["name", "-version"]

    def get_serializer_class(self):
        return SurveyTemplateDetailSerializer if self.action == "retrieve" else SurveyTemplateSerializer

    def get_queryset(self):
        templates = SurveyTemplate.objects.restrict(self.request.user, "view").order_by("name", "-version", "pk")
        if self.action == "retrieve":
            templates = templates.prefetch_related(
                Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
            )
        return templates


class CampaignViewSet(RegisterViewSet):
    """Survey campaigns: list (``q``, ``status``, ``template``, ``ordering``), read (with sending progress
    and results so far), create and change (PATCH) as quality managers, POST ``{id}/send/`` to send a
    draft and ``{id}/close/`` to stop answers. Campaigns are evidence: never deleted."""

    queryset = Campaign.objects.all()
    filterset_class = CampaignFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_actions = {"send": "change", "close": "change"}
    ordering_fields = ["name", "opens_at", "closes_at", "status", "created_at"]
    ordering = ["-opens_at"]

    def get_serializer_class(self):
        return CampaignSerializer if self.action == "list" else CampaignDetailSerializer

    def restricted_queryset(self, action):
        return (
            Campaign.objects.restrict(self.request.user, action)
            .select_related("template", "created_by")
            .prefetch_related(Prefetch("customers", queryset=Customer.objects.only("pk")))
            .order_by("-opens_at", "-pk")
        )

    def _fresh(self, campaign: Campaign) -> Campaign:
        return self.restricted_queryset("view").get(pk=campaign.pk)

    def create_record(self, data):
        return self._fresh(surveys.campaign_save(actor=self.request.user, campaign=None, data=data))

    def update_record(self, instance, data):
        return self._fresh(surveys.campaign_save(actor=self.request.user, campaign=instance, data=data))

    @extend_schema(request=None, responses=CampaignDetailSerializer)
    @viewset_action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft: one invitation per contact in the audience, e-mailed in batches. Refused with
        400 naming ``status`` (not a draft), ``closes_at`` (closes in the past) or ``segments`` (nobody)."""
        campaign = self.get_object()
        survey_delivery.campaign_send(actor=request.user, campaign=campaign)
        return Response(self.get_serializer(self._fresh(campaign)).data)

    @extend_schema(request=None, responses=CampaignDetailSerializer)
    @viewset_action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a sent campaign now; unanswered invitations expire. Refused with 400 naming ``status``."""
        campaign = self.get_object()
        survey_delivery.campaign_close(actor=request.user, campaign=campaign)
        return Response(self.get_serializer(self._fresh(campaign)).data)


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey invitations (``campaign``, ``status``): who was asked and what became of it. The token that
    opens the response page is never shown."""

    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilterSet
    ordering_fields = ["email", "sent_at", "responded_at", "status"]
    ordering = ["campaign", "email"]

    def get_queryset(self):
        return (
            Invitation.objects.restrict(self.request.user, "view")
            .select_related("campaign", "customer")
            .defer("token")
            .order_by("campaign", "email", "pk")
        )


class SurveyResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey responses with their answers (``campaign``, ``segment``, ``customer``, ``submitted_after``,
    ``submitted_before``), newest first."""

    queryset = SurveyResponse.objects.all()
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilterSet
    ordering_fields = ["submitted_at", "nps_score", "csat_score"]
    ordering = ["-submitted_at"]

    def get_queryset(self):
        return (
            SurveyResponse.objects.restrict(self.request.user, "view")
            .select_related("campaign", "customer")
            .prefetch_related(
                Prefetch(
                    "answers",
                    queryset=Answer.objects.select_related("question").order_by("question__order", "question_id"),
                )
            )
            .order_by("-submitted_at", "-pk")
        )
