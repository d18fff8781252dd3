"""GraphQL types of the ratings behind the evaluation statistics (好差评): an entry, the
filter, and the link from a bad rating to its rectification in the ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from uuid import UUID

import strawberry

from gateway.cases.listing import parse_uuid
from gateway.context import Info
from gateway.dataloaders import load
from gateway.evaluations.types import (
    AppealReasonEnum,
    EvaluationChannelEnum,
    EvaluationStatusEnum,
    RatingLevelEnum,
    SubjectKindEnum,
)
from gateway.rectifications.register import RectificationLedgerEntry, ledger_entries_by_uuid
from gateway.relay import Node, global_id
from gateway.security import HALL_STAFF, INHERITED, allow
from projections.evaluations import RatingFilter, RatingRow, ratings_by_id
from services.store.pool import Pool

__all__ = ["NODE", "AppealState", "RatingEntry", "RatingsFilter", "rating_entries"]

NODE = "RatingEntry"


@strawberry.enum(description="Where the hall's appeal (申诉) of a rating stands.")
class AppealState(Enum):
    NONE = "NONE"
    PENDING = "PENDING"
    UPHELD = "UPHELD"
    """The rating was excluded (甄别剔除)."""
    REJECTED = "REJECTED"


@allow(INHERITED)
@strawberry.type(
    description="One invitation to rate (一次一评 / 一事一评) and its rating, as the statistics "
    "count it (read model). Comments are not returned."
)
class RatingEntry(Node):
    evaluation_id: strawberry.ID = strawberry.field(description="The id mutations take.")
    subject_kind: SubjectKindEnum
    subject_ref: str
    channel: EvaluationChannelEnum
    applicant_id: str
    rater_id: str | None
    window_code: str
    staff_badge: str
    item_code: str
    invited_at: datetime
    month: str = strawberry.field(description="YYYY-MM: the month of the service (Beijing).")
    default_on: date
    status: EvaluationStatusEnum
    level: RatingLevelEnum | None = strawberry.field(description="BASIC for a default rating.")
    voluntary: bool | None = strawberry.field(description="主动评价; false for a default.")
    rated_at: datetime | None
    appended: bool
    appeal_state: AppealState
    appeal_reason: AppealReasonEnum | None
    excluded: bool = strawberry.field(description="Excluded on appeal: counted nowhere.")
    rectification_id: strawberry.ID | None = strawberry.field(
        description="The rectification a bad rating opened."
    )
    hall_id: strawberry.Private[str]

    @allow(*HALL_STAFF)
    @strawberry.field(description="The bad rating's rectification, as the ledger shows it.")
    async def rectification(self, info: Info) -> RectificationLedgerEntry | None:
        if self.rectification_id is None:
            return None
        key = UUID(str(self.rectification_id))
        return await load(info, ledger_entries_by_uuid, self.hall_id, key)

    @classmethod
    def from_row(cls, row: RatingRow, hall: str) -> RatingEntry:
        return cls(
            id=global_id(NODE, hall, str(row.evaluation_id)),
            evaluation_id=strawberry.ID(str(row.evaluation_id)),
            subject_kind=SubjectKindEnum(row.subject_kind),
            subject_ref=row.subject_ref,
            channel=EvaluationChannelEnum(row.channel),
            applicant_id=row.applicant_id,
            rater_id=row.rater_id,
            window_code=row.window_code,
            staff_badge=row.staff_badge,
            item_code=row.item_code,
            invited_at=row.invited_at,
            month=row.month,
            default_on=row.default_on,
            status=EvaluationStatusEnum(row.status),
            level=RatingLevelEnum(row.level) if row.level else None,
            voluntary=row.voluntary,
            rated_at=row.rated_at,
            appended=row.appended,
            appeal_state=AppealState(row.appeal_state),
            appeal_reason=AppealReasonEnum(row.appeal_reason) if row.appeal_reason else None,
            excluded=row.excluded,
            rectification_id=strawberry.ID(str(row.rectification_id))
            if row.rectification_id
            else None,
            hall_id=hall,
        )


def rating_entries(pool: Pool, hall: str, ids: Sequence[str]) -> Mapping[str, RatingEntry]:
    """Node loader: the hall's ratings by evaluation id (one query)."""
    wanted = {i: u for i in ids if (u := parse_uuid(i)) is not None}
    rows = ratings_by_id(pool, hall, list(wanted.values()))
    return {i: RatingEntry.from_row(rows[u], hall) for i, u in wanted.items() if u in rows}


@strawberry.input(description="Which ratings to list; every field is optional.")
class RatingsFilter:
    status: EvaluationStatusEnum | None = None
    level: RatingLevelEnum | None = None
    invited_from: date | None = strawberry.field(
        default=None, description="First day (Beijing) of services to list."
    )
    invited_to: date | None = strawberry.field(
        default=None, description="Last day (Beijing) of services to list."
    )
    window: str | None = None
    staff: str | None = None
    item_code: str | None = None
    excluded: bool | None = None

    def to_filter(self, applicant: str | None, *, bad_only: bool = False) -> RatingFilter:
        return RatingFilter(
            status=self.status.value if self.status else None,
            level=self.level.value if self.level else None,
            bad_only=bad_only,
            invited_from=self.invited_from,
            invited_to=self.invited_to,
            window=self.window,
            staff=self.staff,
            item_code=self.item_code,
            excluded=self.excluded,
            applicant_id=applicant,
        )
