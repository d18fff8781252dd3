"""GraphQL mutations of the 帮办代办 cases context; roles are in each field's description.

Applicants request help as themselves; staff (窗口人员, 代办员) and hall admins register
walk-ins and carry every case from acceptance to the archive; supervisors may also make the
follow-up call (回访). Each mutation returns the case built from its aggregate.
"""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.auth import Role
from gateway.cases.types import (
    AssistanceCaseType,
    CaseDeliveryInput,
    IdentityMethodEnum,
    RequestAssistanceCaseInput,
    ResultOutcomeEnum,
    parse_case_id,
)
from gateway.context import Info, run_sync
from gateway.security import allow
from services.cases import Applicant, CaseRequest, CaseService, Delivery
from services.shared import ForbiddenError
from services.shared.ids import same_badge

__all__ = ["CaseMutations"]

AGENTS = (Role.STAFF, Role.HALL_ADMIN)
"""Who acts on cases: staff (window staff and 代办员) and hall admins."""
ID = strawberry.ID


def _service(info: Info, *roles: Role) -> CaseService:
    hall_id = info.context.principal.require_hall(*roles)
    return info.context.platform.hall_app(CaseService, hall_id)


def _actor(info: Info) -> str:
    return info.context.principal.subject


def _first_responsible(info: Info, badge_number: str) -> str:
    """首问负责: staff accept a case as themselves (the token's subject is their badge);
    hall admins name the member who accepts it. Reassigning names whom the case goes to,
    not who acts, so staff may hand a case to a colleague (the caller is its actor)."""
    principal = info.context.principal
    if principal.role is Role.STAFF and not same_badge(badge_number, principal.subject):
        raise ForbiddenError(
            f"staff accept cases only as themselves: give your own badge number "
            f"({principal.subject!r}); a hall admin accepts a case for {badge_number!r}, or "
            "accept it yourself and reassign it (reassignAssistanceCase)"
        )
    return badge_number


@strawberry.type
class CaseMutations:
    @allow(Role.APPLICANT, *AGENTS)
    @strawberry.mutation(
        description="申请: ask for 帮办代办 with a 帮办代办 item of the hall. Applicants "
        "request as themselves (the token's subject is the applicant id); staff and hall "
        "admins register a walk-in applicant."
    )
    async def request_assistance_case(
        self, info: Info, input: RequestAssistanceCaseInput
    ) -> AssistanceCaseType:
        principal = info.context.principal
        app = _service(info, Role.APPLICANT, *AGENTS)
        own = principal.role is Role.APPLICANT
        a = input.applicant
        request = CaseRequest(
            mode=input.mode.value,
            item_code=input.item_code,
            matter=input.matter,
            channel=input.channel.value,
            applicant=Applicant(
                applicant_id=principal.subject if own else input.applicant_id,
                name=a.name,
                id_number=a.id_number,
                phone=a.phone,
                address=a.address,
            ),
        )
        case = await run_sync(app.request_case, request, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="受理: the staff member with this badge accepts the case and stays its "
        "first responsible (首问负责); the due date (限时办结) is fixed (staff, hall admins). "
        "Staff accept as themselves (badgeNumber is their own); hall admins name the member."
    )
    async def accept_assistance_case(
        self, info: Info, id: ID, badge_number: str
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        badge = _first_responsible(info, badge_number)
        case = await run_sync(app.accept_case, parse_case_id(id), badge, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="Hand the case to another staff member; the first responsible does not "
        "change (staff, hall admins)."
    )
    async def reassign_assistance_case(
        self, info: Info, id: ID, badge_number: str, reason: str
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(
            app.reassign_case, parse_case_id(id), badge_number, reason, _actor(info)
        )
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="Check the materials received against the item's materials list "
        "(staff, hall admins)."
    )
    async def check_case_materials(
        self, info: Info, id: ID, received: list[str]
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.check_materials, parse_case_id(id), received, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="一次性告知: list every missing material at once; the case clock stops "
        "until they are supplied. A case gets one notice (staff, hall admins)."
    )
    async def issue_one_time_notice(
        self, info: Info, id: ID, materials: list[str], note: str = ""
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.issue_notice, parse_case_id(id), materials, note, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="补正: noticed materials arrived; with the last one the clock restarts and "
        "the due date moves by the working days it was stopped (staff, hall admins)."
    )
    async def supplement_case_materials(
        self, info: Info, id: ID, materials: list[str]
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.supplement_materials, parse_case_id(id), materials, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="委托: the applicant signed the mandate; say whether and how identity was "
        "verified (全程代办, 环节帮办; staff, hall admins)."
    )
    async def sign_case_mandate(
        self, info: Info, id: ID, identity_verified: bool, identity_method: IdentityMethodEnum
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(
            app.sign_mandate,
            parse_case_id(id),
            identity_verified,
            identity_method.value,
            _actor(info),
        )
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="交接: the complete materials pass to the agent against a receipt number; "
        "needs a verified mandate (staff, hall admins)."
    )
    async def hand_over_case_materials(
        self, info: Info, id: ID, receipt_number: str
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(
            app.hand_over_materials, parse_case_id(id), receipt_number, _actor(info)
        )
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="报送: the agent submitted the matter to the department, with its "
        "acceptance number and its own due date (staff, hall admins)."
    )
    async def submit_case_to_department(
        self,
        info: Info,
        id: ID,
        department: str,
        acceptance_number: str,
        department_due_date: date,
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(
            app.submit_to_department,
            parse_case_id(id),
            department,
            acceptance_number,
            department_due_date,
            _actor(info),
        )
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="中止: suspend the case with the reason; its clock stops (staff, hall admins)."
    )
    async def suspend_assistance_case(self, info: Info, id: ID, reason: str) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.suspend_case, parse_case_id(id), reason, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="续办: resume a suspended case; the due date moves by the working days "
        "suspended (staff, hall admins)."
    )
    async def resume_assistance_case(
        self, info: Info, id: ID, note: str = ""
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.resume_case, parse_case_id(id), note, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(description="The department's result came back (staff, hall admins).")
    async def receive_case_result(
        self,
        info: Info,
        id: ID,
        outcome: ResultOutcomeEnum,
        document_number: str = "",
        note: str = "",
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(
            app.receive_result,
            parse_case_id(id),
            outcome.value,
            document_number,
            note,
            _actor(info),
        )
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="送达: the result was picked up or mailed and signed for (staff, hall admins)."
    )
    async def deliver_case_result(
        self, info: Info, id: ID, input: CaseDeliveryInput
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        delivery = Delivery(
            method=input.method.value,
            signed_by_name=input.signed_by_name,
            delivery_address=input.delivery_address,
            tracking_number=input.tracking_number,
        )
        case = await run_sync(app.deliver_result, parse_case_id(id), delivery, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="办结: complete the case; records whether it was on time (staff, hall admins)."
    )
    async def complete_assistance_case(
        self, info: Info, id: ID, note: str = ""
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.complete_case, parse_case_id(id), note, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="终止: end the case unfinished, with the reason (staff, hall admins)."
    )
    async def terminate_assistance_case(
        self, info: Info, id: ID, reason: str
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.terminate_case, parse_case_id(id), reason, _actor(info))
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS, Role.SUPERVISOR)
    @strawberry.mutation(
        description="回访: a follow-up call after the case ended; repeat until the applicant "
        "is reached (staff, hall admins, supervisors)."
    )
    async def record_case_follow_up(
        self,
        info: Info,
        id: ID,
        reached: bool,
        satisfied: bool | None = None,
        note: str = "",
    ) -> AssistanceCaseType:
        app = _service(info, *AGENTS, Role.SUPERVISOR)
        case = await run_sync(
            app.record_follow_up, parse_case_id(id), reached, satisfied, note, _actor(info)
        )
        return AssistanceCaseType.from_aggregate(case)

    @allow(*AGENTS)
    @strawberry.mutation(
        description="归档: archive an ended case after its follow-up call (staff, hall admins)."
    )
    async def archive_assistance_case(self, info: Info, id: ID) -> AssistanceCaseType:
        app = _service(info, *AGENTS)
        case = await run_sync(app.archive_case, parse_case_id(id), _actor(info))
        return AssistanceCaseType.from_aggregate(case)
