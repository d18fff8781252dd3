#!/usr/bin/env bash
# Installs what the Kafka broker needs from Debian packages, when it is missing:
#   - a Java runtime (java): openjdk-17-jre-headless, or Debian's default JRE where 17 is
#     not packaged (Kafka 4 runs on Java 17 or newer);
#   - Maven (mvn), which fetches the broker jars (python -m deploy.kafka.broker fetch).
# Runs as root in CI (`make java`); elsewhere it uses sudo when there is one.
set -euo pipefail

missing=()
command -v java >/dev/null 2>&1 || missing+=(java)
command -v mvn >/dev/null 2>&1 || missing+=(mvn)
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "ensure-java.sh: ${missing[*]} missing and not root (no sudo either);" \
         "install openjdk-17-jre-headless and maven" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q

# A package is installable when apt knows a candidate version for it.
installable() {
    apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}

packages=()
if [[ " ${missing[*]} " == *" java "* ]]; then
    if installable openjdk-17-jre-headless; then
        packages+=(openjdk-17-jre-headless)
    else
        packages+=(default-jre-headless)
    fi
fi
if [[ " ${missing[*]} " == *" mvn "* ]]; then
    packages+=(maven)
fi

echo "ensure-java.sh: installing ${packages[*]}" >&2
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
java -version
