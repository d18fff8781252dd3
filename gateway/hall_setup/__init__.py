"""GraphQL queries of what a hall has set up: staff roster, service places, queues, windows."""

from gateway.hall_setup.queries import HallSetupQueries

__all__ = ["HallSetupQueries"]
