"""GraphQL mutations of the complaints context; roles are in each field's description.

Applicants complain and withdraw their own complaints; staff investigate, dispose, reply
and follow up; hall admins and supervisors accept or reject, assign, extend, reopen and
archive.
"""

from __future__ import annotations

import strawberry

from gateway.auth import Role
from gateway.complaints.types import (
    ComplaintClassEnum,
    ComplaintType,
    FindingEnum,
    ReceiveComplaintInput,
    RejectionReasonEnum,
    parse_complaint_id,
)
from gateway.context import Info, run_sync
from gateway.security import allow
from services.complaints import ANONYMOUS_COMPLAINANT, ComplaintDetails, ComplaintService

__all__ = ["ComplaintMutations"]

HANDLERS = (Role.STAFF, Role.HALL_ADMIN, Role.SUPERVISOR)
MANAGERS = (Role.HALL_ADMIN, Role.SUPERVISOR)


def _service(info: Info, *roles: Role) -> ComplaintService:
    hall_id = info.context.principal.require_hall(*roles)
    return info.context.platform.hall_app(ComplaintService, hall_id)


@strawberry.type
class ComplaintMutations:
    @allow(Role.APPLICANT, *HANDLERS)
    @strawberry.mutation(
        description="登记: register a complaint. Applicants complain as themselves (the "
        "token's subject is the applicant id), or anonymously: then nothing recorded names "
        "them (no applicant id; the actor is 'anonymous'), so they cannot follow or withdraw "
        "it either. Staff, hall admins and supervisors register one on a complainant's behalf."
    )
    async def receive_complaint(self, info: Info, input: ReceiveComplaintInput) -> ComplaintType:
        principal = info.context.principal
        app = _service(info, Role.APPLICANT, *HANDLERS)
        applicant_id = principal.subject if principal.role is Role.APPLICANT else input.applicant_id
        actor = principal.subject
        if input.anonymous and principal.role is Role.APPLICANT:
            # The log, the register, the rectification it may open and the partners' streams
            # would otherwise tie the complaint to the applicant (and show the respondent).
            applicant_id, actor = "", ANONYMOUS_COMPLAINANT
        details = ComplaintDetails(
            channel=input.channel.value,
            facts=input.facts,
            anonymous=input.anonymous,
            applicant_id=applicant_id,
            complainant_name=input.complainant_name,
            complainant_phone=input.complainant_phone,
            respondent_window=input.respondent_window,
            respondent_badge=input.respondent_badge,
            evidence=list(input.evidence),
        )
        complaint = await run_sync(app.receive_complaint, details, actor)
        return ComplaintType.from_aggregate(complaint)

    @allow(*MANAGERS)
    @strawberry.mutation(
        description="不予受理: reject with a reason code and the notice given (hall admins, "
        "supervisors)."
    )
    async def reject_complaint(
        self, info: Info, id: strawberry.ID, reason: RejectionReasonEnum, explanation: str
    ) -> ComplaintType:
        app = _service(info, *MANAGERS)
        c = await run_sync(
            app.reject_complaint,
            parse_complaint_id(id),
            reason.value,
            explanation,
            info.context.principal.subject,
        )
        return ComplaintType.from_aggregate(c)

    @allow(Role.APPLICANT, *HANDLERS)
    @strawberry.mutation(
        description="撤诉: withdraw before the reply. Applicants withdraw their own complaints "
        "(a reason is optional); staff, hall admins and supervisors record a withdrawal with "
        "the complainant's reason, never for a complaint about themselves (回避)."
    )
    async def withdraw_complaint(
        self, info: Info, id: strawberry.ID, reason: str = ""
    ) -> ComplaintType:
        principal = info.context.principal
        app = _service(info, Role.APPLICANT, *HANDLERS)
        c = await run_sync(
            app.withdraw_complaint,
            parse_complaint_id(id),
            reason,
            principal.subject,
            as_complainant=principal.role is Role.APPLICANT,
        )
        return ComplaintType.from_aggregate(c)

    @allow(*MANAGERS)
    @strawberry.mutation(
        description="受理: accept; the due date follows the hall's simple (on the spot) or "
        "complex limit in working days (hall admins, supervisors)."
    )
    async def accept_complaint(
        self, info: Info, id: strawberry.ID, complaint_class: ComplaintClassEnum
    ) -> ComplaintType:
        app = _service(info, *MANAGERS)
        c = await run_sync(
            app.accept_complaint,
            parse_complaint_id(id),
            complaint_class.value,
            info.context.principal.subject,
        )
        return ComplaintType.from_aggregate(c)

    @allow(*MANAGERS)
    @strawberry.mutation(
        description="Assign a handler (承办人 / 承办单位), never the respondent (回避) (hall "
        "admins, supervisors)."
    )
    async def assign_complaint(self, info: Info, id: strawberry.ID, assignee: str) -> ComplaintType:
        app = _service(info, *MANAGERS)
        c = await run_sync(
            app.assign_complaint, parse_complaint_id(id), assignee, info.context.principal.subject
        )
        return ComplaintType.from_aggregate(c)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="调查核实: record the finding; a substantiated or partly substantiated "
        "finding opens a rectification; a referred (登记转办) complaint is assigned first; the "
        "respondent takes no part (回避) (staff, hall admins, supervisors)."
    )
    async def investigate_complaint(
        self, info: Info, id: strawberry.ID, finding: FindingEnum, summary: str
    ) -> ComplaintType:
        app = _service(info, *HANDLERS)
        c = await run_sync(
            app.investigate_complaint,
            parse_complaint_id(id),
            finding.value,
            summary,
            info.context.principal.subject,
        )
        return ComplaintType.from_aggregate(c)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="处置: record the measures taken (staff, hall admins, supervisors)."
    )
    async def dispose_complaint(
        self, info: Info, id: strawberry.ID, measures: list[str]
    ) -> ComplaintType:
        app = _service(info, *HANDLERS)
        c = await run_sync(
            app.dispose_complaint,
            parse_complaint_id(id),
            list(measures),
            info.context.principal.subject,
        )
        return ComplaintType.from_aggregate(c)

    @allow(*MANAGERS)
    @strawberry.mutation(
        description="延期: extend the deadline by 1 to 30 working days, with a reason, once per "
        "handling round (hall admins, supervisors)."
    )
    async def extend_complaint_deadline(
        self, info: Info, id: strawberry.ID, working_days: int, reason: str
    ) -> ComplaintType:
        app = _service(info, *MANAGERS)
        c = await run_sync(
            app.extend_complaint_deadline,
            parse_complaint_id(id),
            working_days,
            reason,
            info.context.principal.subject,
        )
        return ComplaintType.from_aggregate(c)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="意见反馈: tell the complainant the result (staff, hall admins, supervisors)."
    )
    async def reply_to_complaint(
        self, info: Info, id: strawberry.ID, content: str
    ) -> ComplaintType:
        app = _service(info, *HANDLERS)
        c = await run_sync(
            app.reply_to_complaint, parse_complaint_id(id), content, info.context.principal.subject
        )
        return ComplaintType.from_aggregate(c)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="回访: record whether the complainant is satisfied (staff, hall admins, "
        "supervisors)."
    )
    async def follow_up_complaint(
        self, info: Info, id: strawberry.ID, satisfied: bool, comment: str = ""
    ) -> ComplaintType:
        app = _service(info, *HANDLERS)
        c = await run_sync(
            app.follow_up_complaint,
            parse_complaint_id(id),
            satisfied,
            comment,
            info.context.principal.subject,
        )
        return ComplaintType.from_aggregate(c)

    @allow(*MANAGERS)
    @strawberry.mutation(
        description="重新办理: reopen after the reply, with a new due date (hall admins, "
        "supervisors)."
    )
    async def reopen_complaint(self, info: Info, id: strawberry.ID, reason: str) -> ComplaintType:
        app = _service(info, *MANAGERS)
        c = await run_sync(
            app.reopen_complaint, parse_complaint_id(id), reason, info.context.principal.subject
        )
        return ComplaintType.from_aggregate(c)

    @allow(*MANAGERS)
    @strawberry.mutation(
        description="资料归档: archive; refused until the complainant was answered (hall "
        "admins, supervisors)."
    )
    async def archive_complaint(self, info: Info, id: strawberry.ID) -> ComplaintType:
        app = _service(info, *MANAGERS)
        c = await run_sync(
            app.archive_complaint, parse_complaint_id(id), info.context.principal.subject
        )
        return ComplaintType.from_aggregate(c)
