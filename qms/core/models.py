"""The outbox: e-mails written in the same transaction as the record they are about, sent by a job.

A request (the public complaint form) only writes rows; the ``deliver_outbox`` job sends them, so a
slow mail server or broker never slows the page, and a message is sent at most once: the job claims a
row with a conditional UPDATE before sending.
"""

from __future__ import annotations

from django.db import models


class OutboxEmail(models.Model):
    to = models.TextField(help_text="Recipients, one per line.")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    # A key per message (e.g. "feedback-ack:17") makes queuing the same message twice a no-op.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = "outgoing e-mail"
        indexes = [models.Index(fields=["sent_at", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to.splitlines()[0] if self.to else '?'}"

    @property
    def recipients(self) -> list[str]:
        return [line.strip() for line in self.to.splitlines() if line.strip()]


class Rollup(models.Model):
    """Figures counted over whole registers (a chart, a work queue, a home-page count), stored by a job so a
    page reads one row instead of counting millions (``qms.core.rollups``)."""

    key = models.CharField(max_length=100, unique=True)
    data = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "stored figure"

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"
