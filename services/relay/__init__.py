"""The stream relay: every hall's log, in position order, to Kafka as CloudEvents."""

from services.relay.cloudevents import CloudEvent, to_cloudevent
from services.relay.relay import StreamRelay

__all__ = ["CloudEvent", "StreamRelay", "to_cloudevent"]
