"""GraphQL query of the platform overview (平台运营总览): every hall, its activity, its
projections' lag and its deadlines, for platform operators."""

from gateway.platform_overview.queries import PlatformOverviewQueries

__all__ = ["PlatformOverviewQueries"]
