"""Settings: secrets stay out of their ``repr``; a value that cannot be used is refused when
it is read, naming the variable and what it accepts."""

from __future__ import annotations

import pytest

from deploy.settings import ConfigurationError, Settings, masked_url
from projections.runtime import ProjectionOptions
from services.relay import RelayConfig

SECRET = "prod-signing-secret-" + "A1" * 8
KEY_A = "kid-a-secret-" + "Qz" * 12
KEY_B = "kid-b-secret-" + "Wx" * 12
PASSWORD = "DbPassw0rd-" + "X7" * 4


def test_the_repr_of_settings_hides_the_keys_and_the_database_password():
    settings = Settings(
        database_url=f"postgresql://yanshen:{PASSWORD}@db.internal:5432/yanshen",
        jwt_secret=SECRET,
        jwt_keys=(("2025-07", SECRET + "-kid"),),
    )
    shown = repr(settings)
    assert SECRET not in shown
    assert PASSWORD not in shown
    assert "postgresql://yanshen:***@db.internal:5432/yanshen" in shown
    assert "2025-07" in shown
    assert str(settings) == shown


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://u:p%40ss@h:5432/d", "postgresql://u:***@h:5432/d"),
        (
            "postgres://u:p@h1:5432,h2:5433/d?sslmode=require",
            "postgres://u:***@h1:5432,h2:5433/d?sslmode=require",
        ),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
        (
            "postgresql:///d?host=/run/pg&password=p&user=u",
            "postgresql:///d?host=/run/pg&password=***&user=u",
        ),
        ("host=h password=p user=u", "host=h password=*** user=u"),
        ("host=h password = 'p q\\' r' user=u", "host=h password = *** user=u"),
        ("host=h sslpassword=p", "host=h sslpassword=***"),
        ("host=h password=p&q user=u", "host=h password=*** user=u"),
        ("postgresql://u:p:q@r@h/d", "postgresql://u:***@h/d"),
        ("postgresql://u:hunter2?x@h:1/d", "postgresql://u:***@h:1/d"),  # libpq: password
        ("postgresql://u:s3c#ret@h/d?sslmode=require", "postgresql://u:***@h/d?sslmode=require"),
    ],
)
def test_masked_url_hides_every_password(url, masked):
    assert masked_url(url) == masked


def test_settings_read_from_the_environment():
    settings = Settings.from_env(
        {
            "YANSHEN_PORT": "8443",
            "YANSHEN_LOG_JSON": "TRUE",
            "YANSHEN_JWT_KEYS": f"a:{KEY_A}, b:{KEY_B}",
            "YANSHEN_JWT_SIGNING_KID": "b",
            "YANSHEN_JWT_JWKS_REFRESH_SECONDS": "60.5",
            "YANSHEN_RATE_LIMIT_PER_MINUTE": "0",
            "YANSHEN_MAX_SUBSCRIPTIONS": "300",
            "YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS": "40",
        }
    )
    assert (settings.max_subscriptions, settings.max_anonymous_subscriptions) == (300, 40)
    assert (settings.port, settings.log_json, settings.jwt_signing_kid) == (8443, True, "b")
    assert settings.jwt_keys == (("a", KEY_A), ("b", KEY_B))
    assert (settings.jwt_jwks_refresh_seconds, settings.rate_limit_per_minute) == (60.5, 0)
    assert Settings.from_env({}) == Settings()


def test_a_total_of_subscriptions_below_the_anonymous_default_caps_the_anonymous_too():
    """Lowering YANSHEN_MAX_SUBSCRIPTIONS alone starts: the anonymous default (200) is no
    setting the operator gave, it is capped by the total."""
    settings = Settings.from_env({"YANSHEN_MAX_SUBSCRIPTIONS": "50"})
    assert (settings.max_subscriptions, settings.max_anonymous_subscriptions) == (50, 50)
    settings = Settings.from_env({"YANSHEN_MAX_SUBSCRIPTIONS": "500"})
    assert (settings.max_subscriptions, settings.max_anonymous_subscriptions) == (500, 200)


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("YANSHEN_PORT", "abc", "from 1 to 65535"),
        ("YANSHEN_PORT", "70000", "from 1 to 65535"),
        ("YANSHEN_PORT", "0", "from 1 to 65535"),
        ("YANSHEN_MAX_PAGE_SIZE", "0", "at least 1"),
        ("YANSHEN_RATE_LIMIT_PER_MINUTE", "-1", "at least 0"),
        ("YANSHEN_JWT_LEEWAY_SECONDS", "5s", "whole number"),
        ("YANSHEN_JWT_JWKS_REFRESH_SECONDS", "nan", "finite number above 0"),
        ("YANSHEN_JWT_JWKS_REFRESH_SECONDS", "inf", "finite number above 0"),
        ("YANSHEN_LOG_JSON", "maybe", "1, true, yes, on, 0, false, no or off"),
        ("YANSHEN_DEFAULT_PAGE_SIZE", "500", "at most YANSHEN_MAX_PAGE_SIZE"),
        ("YANSHEN_MAX_SUBSCRIPTIONS", "0", "at least 1"),
        ("YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS", "many", "whole number"),
        ("YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS", "1001", "at most YANSHEN_MAX_SUBSCRIPTIONS"),
        ("YANSHEN_JWT_SIGNING_KID", "c", "a kid of YANSHEN_JWT_KEYS (a)"),
        ("DATABASE_URL", "host=h port", "PostgreSQL URL"),
    ],
)
def test_a_setting_that_cannot_be_used_is_refused_by_name(variable, value, accepted):
    env = {"YANSHEN_JWT_KEYS": f"a:{KEY_A}", variable: value}
    with pytest.raises(ConfigurationError, match=variable) as refused:
        Settings.from_env(env)
    assert accepted in str(refused.value)


def test_a_malformed_key_list_is_refused_without_repeating_the_keys():
    with pytest.raises(ConfigurationError, match="YANSHEN_JWT_KEYS") as refused:
        Settings.from_env({"YANSHEN_JWT_KEYS": f"good:{KEY_A},{SECRET}"})
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("YANSHEN_LEASE_TTL", "nan"),
        ("YANSHEN_LEASE_TTL", "inf"),
        ("YANSHEN_POLL_INTERVAL", "soon"),
        ("YANSHEN_PROJECTION_BATCH", "many"),
        ("YANSHEN_METRICS_PORT", "abc"),
        ("YANSHEN_METRICS_PORT", "70000"),
    ],
)
def test_projection_options_that_cannot_be_used_are_refused_by_name(variable, value):
    with pytest.raises(ConfigurationError, match=variable):
        ProjectionOptions.from_env({variable: value})


def test_projection_options_refuse_endless_leases_given_directly():
    with pytest.raises(ConfigurationError, match="YANSHEN_LEASE_TTL"):
        ProjectionOptions(lease_ttl=float("nan"))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("YANSHEN_KAFKA_PARTITIONS", "0"),
        ("YANSHEN_KAFKA_MIN_INSYNC_REPLICAS", "two"),
        ("YANSHEN_KAFKA_RETENTION_MS", "0"),
        ("YANSHEN_KAFKA_RETENTION_MS", "-2"),
        ("YANSHEN_RELAY_LEASE_TTL", "inf"),
        ("YANSHEN_RELAY_POLL_INTERVAL", "0"),
        ("YANSHEN_KAFKA_SECURITY_PROTOCOL", "TLS"),
        ("YANSHEN_KAFKA_SASL_MECHANISM", "scram"),
    ],
)
def test_relay_settings_that_cannot_be_used_are_refused_by_name(variable, value):
    with pytest.raises(ConfigurationError, match=variable):
        RelayConfig.from_env({variable: value})


def test_relay_keeps_messages_forever_only_when_told():
    assert RelayConfig.from_env({"YANSHEN_KAFKA_RETENTION_MS": "-1"}).retention_ms == -1


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("YANSHEN_JWT_SECRET", "changeme"),
        ("YANSHEN_JWT_SECRET", "x" * 31),
        ("YANSHEN_JWT_KEYS", f"a:{KEY_A},b:short-secret"),
        ("YANSHEN_METRICS_TOKEN", "changeme"),
    ],
)
def test_a_secret_that_can_be_guessed_is_refused_without_repeating_it(variable, value):
    with pytest.raises(ConfigurationError, match=f"{variable} must be at least 32 bytes") as e:
        Settings.from_env({variable: value})
    assert "changeme" not in str(e.value)
    assert "short-secret" not in str(e.value)
    long_enough = value.replace("short-secret", "s" * 32) if ":" in value else "x" * 32
    assert Settings.from_env({variable: long_enough}) != Settings()


def test_a_maximum_page_size_below_the_default_lowers_the_default():
    settings = Settings.from_env({"YANSHEN_MAX_PAGE_SIZE": "10"})
    assert (settings.max_page_size, settings.default_page_size) == (10, 10)
    with pytest.raises(ConfigurationError, match="YANSHEN_DEFAULT_PAGE_SIZE"):
        Settings.from_env({"YANSHEN_MAX_PAGE_SIZE": "10", "YANSHEN_DEFAULT_PAGE_SIZE": "11"})
