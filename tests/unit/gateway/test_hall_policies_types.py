"""The GraphQL types of a hall's policies name every policy of ``HallPolicies``."""

from __future__ import annotations

from dataclasses import fields

from gateway.halls.policies import ChangeHallPoliciesInput, HallPoliciesType
from services.halls import CallRule, HallPolicies, MissedNumberPolicy

POLICIES = [f.name for f in fields(HallPolicies)]


def test_the_output_type_and_the_input_have_a_field_for_every_policy():
    for graphql_type in (HallPoliciesType, ChangeHallPoliciesInput):
        names = [f.name for f in graphql_type.__strawberry_definition__.fields]
        assert names == POLICIES, graphql_type


def test_the_input_gives_only_the_policies_set_with_domain_values():
    given = ChangeHallPoliciesInput(
        rectification_working_days=15,
        missed_number_policy=MissedNumberPolicy.DEFER,  # a GraphQL enum member in the gateway
        call_rule=None,
    )
    assert given.changes() == {"rectification_working_days": 15, "missed_number_policy": "DEFER"}
    assert ChangeHallPoliciesInput().changes() == {}


def test_the_output_type_answers_every_policy():
    policies = HallPolicies(call_rule=CallRule.LONGEST_WAITING, waiting_target_minutes=12)
    answered = HallPoliciesType.from_policies(policies)
    assert answered.waiting_target_minutes == 12
    assert answered.call_rule.value == "LONGEST_WAITING"
    assert answered.missed_number_policy.name == "KEEP"
