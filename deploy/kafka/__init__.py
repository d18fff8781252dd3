"""A real single-node Apache Kafka broker (KRaft) for tests, CI and local runs.

The broker jars come from Maven Central through ``pom.xml`` (``make kafka-jars``); see
:mod:`deploy.kafka.broker` for starting one.
"""
