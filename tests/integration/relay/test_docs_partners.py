"""The kafka-python example of docs/partners.md, run as written against the real broker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.relay import partner_topic, replay
from tests.integration.relay.support import grant, onboard, publish_items

pytestmark = pytest.mark.kafka

DOC = Path(__file__).resolve().parents[3] / "docs" / "partners.md"


def _example() -> str:
    section = DOC.read_text(encoding="utf-8").split("## Subscribing with kafka-python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "docs/partners.md lost its kafka-python example"
    return match.group(1)


def test_the_kafka_python_example_prints_each_event_once(
    platform, worker_pool, kafka_bootstrap_servers, hall, partner, fanout, sink, tmp_path
):
    grant(platform, hall, partner, ["staff.StaffOnboarded", "catalog.*"])
    onboard(platform, hall, "S1", "张三")
    publish_items(platform, hall, ["X1", "X2"])
    fanout.catch_up()
    assert replay(worker_pool, sink, partner, hall, 1).sent == 3  # every message twice now

    script = tmp_path / "consume.py"
    script.write_text(_example(), encoding="utf-8")
    env = dict(
        os.environ,
        YANSHEN_TOPIC=partner_topic(partner),
        YANSHEN_BOOTSTRAP=kafka_bootstrap_servers,
        YANSHEN_GROUP=f"{partner}.docs",
        YANSHEN_IDLE_MS="5000",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    assert {line.split()[0] for line in lines} == {f"{hall}:{p}" for p in (3, 4, 5)}
    staff = next(line for line in lines if "StaffOnboarded" in line)
    assert staff.endswith("redacted=name")

    again = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""  # the group committed its offsets: nothing new
