"""Partners (数据共享伙伴): the systems that receive halls' events, and the halls' grants.

The partner register lives in the platform log (:data:`PLATFORM_LOG`); each grant lives in
the log of the hall that gives it. The stream relay (``services.relay``) reads both and
feeds each partner's own Kafka topic. See ``docs/partners.md``.
"""

from services.partners.access import (
    AccessPolicy,
    Backfill,
    BackfillScope,
    Delivery,
    GrantChange,
)
from services.partners.application import (
    PartnerGrants,
    PartnerRegistry,
    grantable_event_types,
    resolve_event_types,
)
from services.partners.domain import (
    PLATFORM_LOG,
    Grant,
    GrantStart,
    Partner,
    validate_partner_id,
)
from services.partners.errors import (
    GrantNotActiveError,
    GrantUnchangedError,
    PartnerAlreadyRegisteredError,
    PartnerError,
    PartnerIdError,
    PartnerNotFoundError,
    UnknownEventTypeError,
)

__all__ = [
    "PLATFORM_LOG",
    "AccessPolicy",
    "Backfill",
    "BackfillScope",
    "Delivery",
    "Grant",
    "GrantChange",
    "GrantNotActiveError",
    "GrantStart",
    "GrantUnchangedError",
    "Partner",
    "PartnerAlreadyRegisteredError",
    "PartnerError",
    "PartnerGrants",
    "PartnerIdError",
    "PartnerNotFoundError",
    "PartnerRegistry",
    "UnknownEventTypeError",
    "grantable_event_types",
    "resolve_event_types",
    "validate_partner_id",
]
