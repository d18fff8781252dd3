"""The GraphQL schema exposes a mutation for every command of the four contexts."""

from __future__ import annotations

from gateway.schema import build_schema

EXPECTED = {
    # complaints
    "receiveComplaint",
    "rejectComplaint",
    "withdrawComplaint",
    "acceptComplaint",
    "assignComplaint",
    "investigateComplaint",
    "disposeComplaint",
    "extendComplaintDeadline",
    "replyToComplaint",
    "followUpComplaint",
    "reopenComplaint",
    "archiveComplaint",
    # evaluations
    "inviteEvaluation",
    "submitRating",
    "appendRating",
    "appealRating",
    "excludeRating",
    "rejectRatingAppeal",
    "applyDefaultRatings",
    # rectifications
    "recordVerificationCall",
    "fixRectificationAtOnce",
    "enterRectificationLedger",
    "explainRectification",
    "completeRectification",
    "feedBackRectification",
    "passRectificationReview",
    "reopenRectification",
    "markOverdueRectifications",
    # supervision
    "recordInspection",
    "recordInspectionFinding",
    "closeInspection",
    "recordConductViolation",
    "dismissConductViolation",
    "openAssessment",
    "recordAssessmentScore",
    "publishRanking",
    "scheduleInterview",
    "holdInterview",
    "cancelInterview",
    "openImprovementAction",
    "completeImprovementAction",
}


def test_every_command_has_a_documented_mutation():
    mutation = build_schema()._schema.mutation_type
    assert mutation is not None
    assert set(mutation.fields) >= EXPECTED
    undocumented = [name for name in EXPECTED if not mutation.fields[name].description]
    assert not undocumented


def test_the_graphql_enums_have_the_domain_values():
    from services.complaints import values as complaints
    from services.evaluations import values as evaluations

    schema = build_schema()._schema
    for name, domain in [
        ("ComplaintRejectionReason", complaints.RejectionReason),
        ("ComplaintFinding", complaints.Finding),
        ("RatingLevel", evaluations.RatingLevel),
        ("RatingIndicator", evaluations.Indicator),
    ]:
        assert set(schema.type_map[name].values) == {m.value for m in domain}
