"""GraphQL mutations of the partners context: register partners, grant and revoke."""

from gateway.partners.schema import PartnerMutations

__all__ = ["PartnerMutations"]
