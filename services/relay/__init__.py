"""The stream relay: every hall's log, in position order, to Kafka as CloudEvents.

Platform topics ``yanshen.<context>`` get every event; each partner's topic
``yanshen.partner.<partner-id>`` gets what the halls granted it. See ``docs/partners.md``.
"""

from services.relay.cloudevents import CloudEvent, to_cloudevent
from services.relay.config import RelayConfig
from services.relay.kafka_sink import KafkaSink
from services.relay.memory_sink import MemorySink
from services.relay.partners import PartnerConsumer, PartnerFanout
from services.relay.relay import PlatformPublisher, StreamRelay
from services.relay.replay import ReplayResult, replay
from services.relay.sink import MessageRejectedError, MessageSink, SinkError, SinkUnavailableError
from services.relay.topics import partner_topic, platform_topics, topic_for

__all__ = [
    "CloudEvent",
    "KafkaSink",
    "MemorySink",
    "MessageRejectedError",
    "MessageSink",
    "PartnerConsumer",
    "PartnerFanout",
    "PlatformPublisher",
    "RelayConfig",
    "ReplayResult",
    "SinkError",
    "SinkUnavailableError",
    "StreamRelay",
    "partner_topic",
    "platform_topics",
    "replay",
    "to_cloudevent",
    "topic_for",
]
