"""Fill the registers with volume for performance work: ``seed_scale --customers 50000 --feedback 2000000``.

Rows are written in bulk (COPY on PostgreSQL for the two big tables), so it bypasses the services on
purpose; it keeps what the services guarantee all the same: references come from the same counters
(advanced past what was used), and audit entries are appended to the hash chain with the chain's own
``compute_hash``, so ``verify_audit_trail`` stays green. Core code never imports a domain app: models
are looked up with ``apps.get_model``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from qms.audit.context import audit_context

SPAN_DAYS = 3 * 365
SCALE_USERS = ("scale.owner1", "scale.owner2", "scale.owner3", "scale.owner4", "scale.owner5")
CUSTOMER_CODE_PREFIX = "SCL-"
WORDS_A = ("Northern", "Atlas", "Blue", "Crown", "Delta", "Eagle", "Granite", "Harbour", "Iris", "Juniper", "Kestrel")
WORDS_B = ("Engineering", "Foods", "Logistics", "Medical", "Plastics", "Systems", "Textiles", "Retail", "Energy")
WORDS_C = ("Ltd", "GmbH", "SA", "BV", "Inc", "plc", "AB", "Oy")
COUNTRIES = ("GB", "DE", "FR", "NL", "SE", "FI", "IE", "US", "ES", "IT", "PL", "BE")
PRODUCTS = ("Valve V-200", "Pump P-40", "Sensor S-9", "Controller C-3", "Field service", "Spare parts", "Training")
TOPICS = ("late delivery", "damaged packaging", "wrong item", "invoice error", "poor finish", "missing manual")
FEEDBACK_CATEGORIES = ("Delivery", "Product quality", "Documentation", "Invoicing", "Service", "Communication")
RECENT_COMPLAINT_STATUSES = ("received", "acknowledged", "investigating", "response_proposed", "resolved", "closed")
# Per audited model: its owner field and some of its statuses (what seeded audit entries change).
AUDIT_FIELDS = {
    "customers.customer": ("account_owner_id", ["prospect", "active", "inactive"]),
    "feedback.feedbackitem": ("assignee_id", ["received", "acknowledged", "investigating", "resolved", "closed"]),
    "requirements.requirement": ("owner_id", ["draft", "active", "under_review", "retired"]),
    "risks.riskentry": ("owner_id", ["identified", "assessed", "treating", "monitoring", "closed"]),
}
RISK_CATEGORIES = ("Supply chain", "Product", "Regulatory", "People", "IT and data", "Market")


def _progress(label: str, done: int, total: int, started: float) -> None:
    """One line on stderr, rewritten in place: label, count, percentage, rate."""
    elapsed = max(time.monotonic() - started, 1e-6)
    pct = 100 * done / total if total else 100
    bar = "#" * int(pct // 5)
    sys.stderr.write(f"\r{label:<13} [{bar:<20}] {done:>10,}/{total:,} {pct:5.1f}% {done / elapsed:>9,.0f}/s")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _copy_value(field: models.Field, value) -> str:
    """A value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        text = json.dumps(value)
    elif isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert_rows(model: type[models.Model], objs: list[models.Model], *, copy: bool) -> None:
    """Insert ``objs`` bypassing the audited managers: COPY on PostgreSQL when ``copy``, else bulk_create.

    Like ``bulk_create``, each field's ``pre_save`` runs first (so ``auto_now_add`` is filled).
    """
    if not objs:
        return
    if not (copy and connection.vendor == "postgresql"):
        model._base_manager.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    buffer = io.StringIO()
    for obj in objs:
        buffer.write("\t".join(_copy_value(f, f.pre_save(obj, True)) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)


class Command(BaseCommand):
    help = (
        "Add volume for performance work: customers, feedback, requirements, risks and audit entries "
        "(any subset, any size; run again to add more)."
    )

    def add_arguments(self, parser):
        for name in ("customers", "feedback", "requirements", "risks", "audit"):
            parser.add_argument(f"--{name}", type=int, default=0, help=f"How many {name} rows to add.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for a repeatable data set.")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_scale refuses to run in the production profile (QMS_ENV=production).")
        if options["batch_size"] < 1 or any(options[name] < 0 for name in ("customers", "feedback", "audit")):
            raise CommandError("Sizes must be 0 or more and --batch-size at least 1.")
        self.rng = random.Random(options["seed"])
        self.batch = options["batch_size"]
        self.now = timezone.now().astimezone(dt.UTC)
        self.timings: dict[str, float] = {}
        with audit_context(source="cli"):
            self.users = self._owners()
            steps: list[tuple[str, Callable[[int], None]]] = [
                ("customers", self.seed_customers),
                ("requirements", self.seed_requirements),
                ("risks", self.seed_risks),
                ("feedback", self.seed_feedback),
                ("audit", self.seed_audit),
            ]
            for name, step in steps:
                if options[name]:
                    started = time.monotonic()
                    step(options[name])
                    self.timings[name] = time.monotonic() - started
        if self.timings and connection.vendor == "postgresql":
            # Fresh statistics: planning on the empty tables' estimates picks sequential scans for a week.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for name, seconds in self.timings.items():
            self.stdout.write(f"{name}: {options[name]:,} rows in {seconds:.1f} s")
        self.stdout.write(self.style.SUCCESS("Scale data added."))

    # Shared -------------------------------------------------------------------------------------------

    def _owners(self) -> list:
        """Active users to own records; a handful of scale users (staff role) when there are none."""
        User = get_user_model()
        users = list(User.objects.filter(is_active=True).order_by("pk")[:50])
        if users:
            return users
        staff = Group.objects.filter(name="Staff").first()
        created = []
        for username in SCALE_USERS:
            user = User.objects.create_user(username=username, email=f"{username}@example.com", password=None)
            if staff:
                user.groups.add(staff)
            created.append(user)
        return created

    def _when(self) -> dt.datetime:
        """A moment in the last three years, weighted towards recent ones."""
        days = SPAN_DAYS * (1 - self.rng.random() ** 0.7)
        return self.now - dt.timedelta(days=days, seconds=self.rng.randrange(86400))

    def _batches(self, total: int) -> Iterator[int]:
        done = 0
        while done < total:
            size = min(self.batch, total - done)
            yield size
            done += size

    def _pks(self, model_label: str) -> list[int]:
        return list(apps.get_model(model_label)._base_manager.values_list("pk", flat=True))

    def _ensure_named(self, model_label: str, names: tuple[str, ...]) -> list:
        """Categories by name, created (through ``save``, so audited) when missing."""
        model = apps.get_model(model_label)
        rows = []
        for name in names:
            row = model._base_manager.filter(name=name).first()
            if row is None:
                row = model(name=name)
                row.save()
            rows.append(row)
        return rows

    def _run(self, label: str, total: int, make_batch: Callable[[int], None]) -> None:
        started = time.monotonic()
        done = 0
        _progress(label, 0, total, started)
        for size in self._batches(total):
            with transaction.atomic():
                make_batch(size)
            done += size
            _progress(label, done, total, started)

    # Customers ----------------------------------------------------------------------------------------

    def seed_customers(self, total: int) -> None:
        Customer = apps.get_model("customers", "Customer")
        Contact = apps.get_model("customers", "Contact")
        pattern = re.compile(rf"^{re.escape(CUSTOMER_CODE_PREFIX)}(\d+)$")
        codes = Customer._base_manager.filter(code__startswith=CUSTOMER_CODE_PREFIX).values_list("code", flat=True)
        next_number = max((int(m.group(1)) for m in map(pattern.match, codes) if m), default=0) + 1
        statuses = ["active"] * 7 + ["inactive"] * 2 + ["prospect"]
        segments = [value for value, _ in Customer._meta.get_field("segment").choices]

        def make_batch(size: int) -> None:
            nonlocal next_number
            customers = []
            for _ in range(size):
                number = next_number
                next_number += 1
                name = f"{self.rng.choice(WORDS_A)} {self.rng.choice(WORDS_B)} {number} {self.rng.choice(WORDS_C)}"
                customers.append(
                    Customer(
                        code=f"{CUSTOMER_CODE_PREFIX}{number:07d}",
                        name=name,
                        segment=self.rng.choice(segments),
                        status=self.rng.choice(statuses),
                        country=self.rng.choice(COUNTRIES),
                        account_owner=self.rng.choice(self.users),
                    )
                )
            insert_rows(Customer, customers, copy=False)
            contacts = []
            for customer in customers:
                for n in range(self.rng.choice((1, 1, 2))):
                    contacts.append(
                        Contact(
                            customer_id=customer.pk,
                            name=f"Contact {n + 1} of {customer.code}",
                            email=f"c{n + 1}.{customer.code.lower()}@example.com",
                            role=self.rng.choice(("Purchasing", "Quality", "Operations", "")),
                            survey_opt_out=self.rng.random() < 0.05,
                        )
                    )
            insert_rows(Contact, contacts, copy=False)

        self._run("customers", total, make_batch)

    # Requirements -------------------------------------------------------------------------------------

    def seed_requirements(self, total: int) -> None:
        Requirement = apps.get_model("requirements", "Requirement")
        RequirementVersion = apps.get_model("requirements", "RequirementVersion")
        prefix = getattr(settings, "QMS_REQUIREMENT_PREFIX", "REQ").strip().upper()
        pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
        references = Requirement._base_manager.filter(reference__startswith=f"{prefix}-").values_list(
            "reference", flat=True
        )
        # The service numbers from the highest reference in use, so continuing from it keeps them apart.
        next_number = max((int(m.group(1)) for m in map(pattern.match, references) if m), default=0) + 1
        customer_pks = self._pks("customers.Customer")
        kinds = ["specification", "internal", "statutory", "regulatory"]
        if customer_pks:
            kinds += ["contractual", "specified", "implied"] * 2
        statuses = ["active"] * 6 + ["draft", "under_review", "superseded", "retired"]
        criticalities = ["critical", "high", "medium", "medium", "low"]
        today = timezone.localdate()

        def make_batch(size: int) -> None:
            nonlocal next_number
            rows = []
            for _ in range(size):
                kind = self.rng.choice(kinds)
                legal = kind in ("statutory", "regulatory")
                rows.append(
                    Requirement(
                        reference=f"{prefix}-{next_number:04d}",
                        title=f"{self.rng.choice(PRODUCTS)}: {self.rng.choice(TOPICS)} requirement {next_number}",
                        text="The supplier shall meet the agreed specification and keep records of conformity.",
                        kind=kind,
                        customer_id=self.rng.choice(customer_pks)
                        if kind in ("contractual", "specified", "implied")
                        else None,
                        legal_reference=f"Regulation {self.rng.randrange(2000, 2026)}/{next_number}" if legal else "",
                        jurisdiction=self.rng.choice(("EU", "UK", "US")) if legal else "",
                        owner=self.rng.choice(self.users),
                        criticality=self.rng.choice(criticalities),
                        review_frequency_months=self.rng.choice((6, 12, 12, 24)),
                        next_review_date=today + dt.timedelta(days=self.rng.randrange(-120, 700)),
                        status=self.rng.choice(statuses),
                        version=1,
                    )
                )
                next_number += 1
            insert_rows(Requirement, rows, copy=False)
            versions = [
                RequirementVersion(
                    requirement_id=row.pk, version=1, title=row.title, text=row.text, changed_by_name="seed_scale"
                )
                for row in rows
            ]
            insert_rows(RequirementVersion, versions, copy=False)

        self._run("requirements", total, make_batch)

    # Risks and opportunities --------------------------------------------------------------------------

    def _risk_matrix(self):
        RiskMatrix = apps.get_model("risks", "RiskMatrix")
        matrix = RiskMatrix._base_manager.filter(active=True).first()
        if matrix is None:
            # The risks app's own default matrix, looked up by name: core code never imports a domain app.
            matrix = import_string("risks.services.active_matrix")()
        return matrix

    def seed_risks(self, total: int) -> None:
        RiskEntry = apps.get_model("risks", "RiskEntry")
        RiskAssessment = apps.get_model("risks", "RiskAssessment")
        Counter = apps.get_model("risks", "RiskReferenceCounter")
        categories = self._ensure_named("risks.RiskCategory", RISK_CATEGORIES)
        matrix = self._risk_matrix()
        rows_n, cols_n = matrix.size if matrix else (5, 5)
        statuses = ["identified", "assessed", "assessed", "treating", "treating", "monitoring", "closed"]
        sources = [value for value, _ in RiskEntry._meta.get_field("source").choices]
        today = timezone.localdate()

        def score(likelihood: int, impact: int) -> tuple[int, str]:
            if matrix:
                value = matrix.score(likelihood, impact)
                return value, matrix.band_for(value)["name"]
            value = likelihood * impact
            return value, "low" if value <= 4 else "medium" if value <= 9 else "high" if value <= 15 else "critical"

        def make_batch(size: int) -> None:
            kinds = ["risk" if self.rng.random() < 0.8 else "opportunity" for _ in range(size)]
            numbers: dict[str, Iterator[int]] = {}
            for kind, prefix in (("risk", "RSK"), ("opportunity", "OPP")):
                wanted = kinds.count(kind)
                Counter._base_manager.get_or_create(prefix=prefix)
                counter = Counter._base_manager.select_for_update().get(prefix=prefix)
                numbers[kind] = iter(range(counter.last + 1, counter.last + wanted + 1))
                counter.last += wanted
                counter.save(update_fields=["last"])
            rows = []
            for kind in kinds:
                prefix = "RSK" if kind == "risk" else "OPP"
                number = next(numbers[kind])
                status = self.rng.choice(statuses)
                entry = RiskEntry(
                    reference=f"{prefix}-{number:04d}",
                    kind=kind,
                    title=f"{self.rng.choice(RISK_CATEGORIES)}: {self.rng.choice(TOPICS)} ({number})",
                    description="Seeded for performance measurement.",
                    source=self.rng.choice(sources),
                    category=self.rng.choice(categories),
                    owner=self.rng.choice(self.users),
                    status=status,
                    review_frequency_months=self.rng.choice((3, 6, 12)),
                    next_review_date=today + dt.timedelta(days=self.rng.randrange(-90, 365)),
                )
                if status != "identified" and matrix:
                    likelihood, impact = self.rng.randint(1, rows_n), self.rng.randint(1, cols_n)
                    entry.inherent_likelihood, entry.inherent_impact = likelihood, impact
                    entry.inherent_score, entry.inherent_band = score(likelihood, impact)
                    entry._assessed_at = self._when()
                rows.append(entry)
            insert_rows(RiskEntry, rows, copy=False)
            assessments = [
                RiskAssessment(
                    entry_id=entry.pk,
                    matrix=matrix,
                    kind="inherent",
                    likelihood=entry.inherent_likelihood,
                    impact=entry.inherent_impact,
                    score=entry.inherent_score,
                    band=entry.inherent_band,
                    assessed_by=entry.owner,
                    assessed_at=entry._assessed_at,
                )
                for entry in rows
                if entry.inherent_score is not None
            ]
            insert_rows(RiskAssessment, assessments, copy=False)

        self._run("risks", total, make_batch)

    # Feedback -----------------------------------------------------------------------------------------

    def seed_feedback(self, total: int) -> None:
        FeedbackItem = apps.get_model("feedback", "FeedbackItem")
        Counter = apps.get_model("feedback", "ReferenceCounter")
        categories = self._ensure_named("feedback.Category", FEEDBACK_CATEGORIES)
        customer_pks = self._pks("customers.Customer")
        prefixes = {"complaint": "CMP", "compliment": "CPL", "suggestion": "SUG", "enquiry": "ENQ"}
        kinds = ["complaint"] * 6 + ["compliment"] * 2 + ["suggestion", "enquiry"]
        channels = [value for value, _ in FeedbackItem._meta.get_field("channel").choices]
        severities = ["low", "medium", "medium", "high", "critical"]
        root_causes = [value for value, _ in FeedbackItem._meta.get_field("root_cause_category").choices]

        def status_for(received: dt.datetime) -> str:
            age_days = (self.now - received).days
            if age_days > 90:
                return self.rng.choice(["closed"] * 12 + ["resolved", "withdrawn", "rejected", "investigating"])
            return self.rng.choice(RECENT_COMPLAINT_STATUSES)

        def make_batch(size: int) -> None:
            planned = []
            wanted: dict[tuple[str, int], int] = defaultdict(int)
            for _ in range(size):
                kind = self.rng.choice(kinds)
                received = self._when()
                planned.append((kind, received))
                wanted[(prefixes[kind], received.year)] += 1
            numbers: dict[tuple[str, int], Iterator[int]] = {}
            for (prefix, year), count in sorted(wanted.items()):
                Counter._base_manager.get_or_create(prefix=prefix, year=year)
                counter = Counter._base_manager.select_for_update().get(prefix=prefix, year=year)
                numbers[(prefix, year)] = iter(range(counter.last + 1, counter.last + count + 1))
                counter.last += count
                counter.save(update_fields=["last"])
            items = []
            for kind, received in planned:
                prefix = prefixes[kind]
                number = next(numbers[(prefix, received.year)])
                status = status_for(received) if kind == "complaint" else self.rng.choice(["received", "closed"])
                assessed = status not in ("received",)
                done = status in ("resolved", "closed")
                acknowledged = received + dt.timedelta(hours=self.rng.randrange(1, 72)) if assessed else None
                resolved = received + dt.timedelta(days=self.rng.randrange(2, 40)) if done else None
                owner = self.rng.choice(self.users)
                customer_pk = self.rng.choice(customer_pks) if customer_pks and self.rng.random() < 0.85 else None
                items.append(
                    FeedbackItem(
                        reference=f"{prefix}-{received.year}-{number:05d}",
                        kind=kind,
                        status=status,
                        channel=self.rng.choice(channels),
                        received_at=received,
                        customer_id=customer_pk,
                        submitter_name="" if customer_pk else "Seeded customer",
                        submitter_email="" if customer_pk else "seeded.customer@example.com",
                        product=self.rng.choice(PRODUCTS),
                        category=self.rng.choice(categories) if kind == "complaint" else None,
                        summary=f"{self.rng.choice(TOPICS).capitalize()} on {self.rng.choice(PRODUCTS)}",
                        description="Seeded for performance measurement.",
                        logged_by=owner,
                        assignee=self.rng.choice(self.users) if assessed else None,
                        severity=self.rng.choice(severities) if assessed and kind == "complaint" else "",
                        root_cause_category=self.rng.choice(root_causes) if done and kind == "complaint" else "",
                        acknowledged_at=acknowledged,
                        resolved_at=resolved,
                        closed_at=resolved + dt.timedelta(days=self.rng.randrange(1, 10))
                        if status == "closed"
                        else None,
                        resolve_clock_started_at=received,
                        acknowledge_due_at=received + dt.timedelta(days=2),
                        resolve_due_at=received + dt.timedelta(days=28),
                        resolved_within_target=(resolved - received).days <= 28 if resolved else None,
                        response_published_at=resolved,
                        published_response="Thank you; we have corrected this." if done else "",
                    )
                )
            insert_rows(FeedbackItem, items, copy=True)

        self._run("feedback", total, make_batch)

    # Audit trail --------------------------------------------------------------------------------------

    def _audit_changes(self, label: str, action: str, user_pks: list[int]) -> dict:
        """Changes as the recorder writes them: choice values, user ids for owners, ISO dates, text."""
        if action == "delete":
            return {}
        owner, statuses = AUDIT_FIELDS[label]
        before, after = self.rng.sample(statuses, 2)
        if action == "create":
            return {"status": [None, before], owner: [None, self.rng.choice(user_pks)]}
        choice = self.rng.random()
        if choice < 0.5:
            return {"status": [before, after]}
        if choice < 0.8 or label not in ("requirements.requirement", "risks.riskentry"):
            return {owner: [self.rng.choice(user_pks), self.rng.choice(user_pks)]}
        day = (self.now + dt.timedelta(days=self.rng.randrange(365))).date().isoformat()
        return {"status": [before, after], "next_review_date": [None, day]}

    def seed_audit(self, total: int) -> None:
        """Entries appended after the chain head, each hashed with ``AuditEntry.compute_hash`` in order."""
        AuditEntry = apps.get_model("audit", "AuditEntry")
        AuditChainHead = apps.get_model("audit", "AuditChainHead")
        targets = []
        for label in ("customers.customer", "feedback.feedbackitem", "requirements.requirement", "risks.riskentry"):
            pks = apps.get_model(label)._base_manager.aggregate(low=models.Min("pk"), high=models.Max("pk"))
            if pks["low"] is not None:
                targets.append((label, pks["low"], pks["high"]))
        if not targets:
            targets.append(("customers.customer", 1, 1000))
        actions = ["update"] * 7 + ["create"] * 2 + ["delete"]
        user_pks = [user.pk for user in self.users]
        # Timestamps rise with the sequence over the last three years (the page orders by sequence).
        start = self.now - dt.timedelta(days=SPAN_DAYS)
        step = dt.timedelta(days=SPAN_DAYS) / max(total, 1)
        written = 0

        def make_batch(size: int) -> None:
            nonlocal written
            head, _ = AuditChainHead._base_manager.select_for_update().get_or_create(pk=1)
            seq, prev_hash = head.seq, head.last_hash
            entries = []
            for _ in range(size):
                label, low, high = self.rng.choice(targets)
                actor = self.rng.choice(self.users)
                action = self.rng.choice(actions)
                stamp = start + step * written
                seq += 1
                written += 1
                entry = AuditEntry(
                    seq=seq,
                    timestamp=stamp.astimezone(dt.UTC),
                    actor_id=actor.pk,
                    actor_name=actor.get_full_name() or actor.username,
                    source=self.rng.choice(("ui", "ui", "ui", "api", "job")),
                    request_id=f"{seq:032x}",
                    address="127.0.0.1",
                    action=action,
                    content_type=label,
                    object_id=str(self.rng.randint(low, high)),
                    object_repr=f"{label.split('.')[1].capitalize()} {seq}",
                    changes=self._audit_changes(label, action, user_pks),
                    prev_hash=prev_hash,
                )
                entry.hash = entry.compute_hash()
                prev_hash = entry.hash
                entries.append(entry)
            insert_rows(AuditEntry, entries, copy=True)
            head.seq, head.last_hash = seq, prev_hash
            head.save(update_fields=["seq", "last_hash"])

        self._run("audit", total, make_batch)
