"""The Kafka sink tells a message Kafka refuses for good from a broker that is unavailable."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.errors import (
    ClusterAuthorizationFailedError,
    InvalidTopicError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    SaslAuthenticationFailedError,
    TopicAuthorizationFailedError,
)

from services.relay import (
    CloudEvent,
    KafkaSink,
    MessageRejectedError,
    RelayConfig,
    SinkUnavailableError,
)
from services.relay.kafka_sink import refuses_for_good
from services.relay.rejections import Rejections


def _message(position: int) -> CloudEvent:
    return CloudEvent(
        topic="yanshen.partner.tax",
        key=b"demo:a",
        headers=[("ce_id", f"demo:{position}".encode())],
        body=b"{}",
    )


@pytest.mark.parametrize(
    "error", [MessageSizeTooLargeError(), InvalidTopicError(), TopicAuthorizationFailedError()]
)
def test_errors_of_one_message_or_topic_refuse_it_for_good(error: KafkaError) -> None:
    assert refuses_for_good(error)


@pytest.mark.parametrize(
    "error",
    [
        KafkaTimeoutError(),
        KafkaConnectionError(),
        NotLeaderForPartitionError(),
        ClusterAuthorizationFailedError(),  # not retriable, but every message's problem
        SaslAuthenticationFailedError(),
    ],
)
def test_errors_of_the_broker_are_not_refusals(error: KafkaError) -> None:
    assert not refuses_for_good(error)


class FakeFuture:
    def __init__(self, error: KafkaError | None) -> None:
        self.error = error

    def get(self, timeout: float) -> None:
        if self.error is not None:
            raise self.error


class FakeProducer:
    """Acknowledges every message but those whose position is in ``fail`` (with its error);
    ``at_send`` fails in ``send`` itself, as kafka-python's own size check does."""

    def __init__(self, fail: dict[int, KafkaError], at_send: bool = False) -> None:
        self.fail = fail
        self.at_send = at_send
        self.closed = False

    def send(self, topic: str, *, key: bytes, value: bytes, headers: Any) -> FakeFuture:
        position = int(dict(headers)["ce_id"].decode().rsplit(":", 1)[1])
        error = self.fail.get(position)
        if error is not None and self.at_send:
            raise error
        return FakeFuture(error)

    def flush(self, timeout: float) -> None:
        pass

    def close(self, timeout: float) -> None:
        self.closed = True


def _sink(producer: FakeProducer) -> KafkaSink:
    sink = KafkaSink(RelayConfig(bootstrap_servers="localhost:9"))
    sink._producer = producer  # type: ignore[assignment]
    return sink


@pytest.mark.parametrize("at_send", [False, True])
def test_a_message_too_large_is_refused_with_its_ce_id(at_send: bool) -> None:
    producer = FakeProducer({2: MessageSizeTooLargeError()}, at_send=at_send)
    sink = _sink(producer)
    with pytest.raises(MessageRejectedError) as refused:
        sink.publish([_message(1), _message(2), _message(3)])
    assert refused.value.message.header("ce_id") == "demo:2"
    assert "MessageSizeTooLargeError" in str(refused.value)
    assert producer.closed  # the next batch gets a fresh producer


def test_a_timeout_makes_the_sink_unavailable() -> None:
    sink = _sink(FakeProducer({1: KafkaTimeoutError()}))
    with pytest.raises(SinkUnavailableError):
        sink.publish([_message(1)])


def test_a_refused_hall_is_tried_again_after_a_growing_pause() -> None:
    now = [0.0]
    rejections = Rejections("partner:tax", clock=lambda: now[0])
    refused = MessageRejectedError(_message(7), "MessageSizeTooLargeError()")
    assert rejections.ready("demo")
    rejections.failed("demo", refused)
    assert not rejections.ready("demo")
    assert rejections.ready("other")
    now[0] = 1.0
    assert rejections.ready("demo")
    rejections.failed("demo", refused)
    now[0] = 2.5
    assert not rejections.ready("demo")  # 2 s now
    now[0] = 3.0
    rejections.succeeded("demo")
    assert rejections.held() == set()
