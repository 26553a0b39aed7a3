#!/usr/bin/env bash
# Creates (or brings up to date) the topics listed in topics.txt. Idempotent: safe to run on every
# `docker-compose up` and every deploy.
#
#   - missing topics are created with the stated partitions, replication factor and configs;
#   - existing topics get their configs (retention.ms, cleanup.policy, min.insync.replicas) corrected
#     and their partition count raised if the file asks for more. Partitions are never reduced and the
#     replication factor of an existing topic is never changed (both need an operator: a reduction is
#     impossible in Kafka, an RF change is a partition reassignment) — those mismatches are reported.
#
# Runs inside the official apache/kafka image (bash + /opt/kafka/bin). Environment:
#   KAFKA_BOOTSTRAP_SERVERS         broker list (default kafka:9092)
#   TOPICS_FILE                     default /etc/localwealth/kafka/topics.txt
#   KAFKA_TOPIC_REPLICATION_FACTOR  overrides the file's replication factor (1 on a single-node broker)
#   KAFKA_COMMAND_CONFIG            optional client .properties file (TLS/SASL) for a secured cluster
#   KAFKA_BIN                       default /opt/kafka/bin
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
topics_file="${TOPICS_FILE:-/etc/localwealth/kafka/topics.txt}"
kafka_bin="${KAFKA_BIN:-/opt/kafka/bin}"
rf_override="${KAFKA_TOPIC_REPLICATION_FACTOR:-}"
# The Kafka CLI tools are JVMs; inside the broker's container they would inherit its (large) heap setting.
export KAFKA_HEAP_OPTS="${TOOLS_HEAP_OPTS:--Xmx256m}"

client_args=(--bootstrap-server "$bootstrap")
if [[ -n "${KAFKA_COMMAND_CONFIG:-}" ]]; then
  client_args+=(--command-config "$KAFKA_COMMAND_CONFIG")
fi

log() { printf 'create-topics: %s\n' "$*" >&2; }

[[ -r "$topics_file" ]] || { log "cannot read $topics_file"; exit 1; }

# Wait for the broker (compose already waits for its healthcheck; a Kubernetes Job may start first).
for attempt in $(seq 1 30); do
  if "$kafka_bin/kafka-topics.sh" "${client_args[@]}" --list >/dev/null 2>&1; then
    break
  fi
  if (( attempt == 30 )); then log "broker $bootstrap not reachable"; exit 1; fi
  sleep 2
done

# One describe for every topic (each CLI call starts a JVM, so avoid one per topic). Summary lines look like
#   Topic: x<TAB>TopicId: ..<TAB>PartitionCount: 6<TAB>ReplicationFactor: 3<TAB>Configs: a=1,b=2
# and become "name partitions rf ,configs," for lookup below.
existing="$("$kafka_bin/kafka-topics.sh" "${client_args[@]}" --describe --exclude-internal |
  awk -F'\t' '/PartitionCount:/ {
      name = ""; parts = ""; rf = ""; cfg = ""
      for (i = 1; i <= NF; i++) {
        field = $i; sub(/^[ ]+/, "", field)
        if (field ~ /^Topic: /)             { name = substr(field, 8) }
        if (field ~ /^PartitionCount: /)    { parts = substr(field, 17) }
        if (field ~ /^ReplicationFactor: /) { rf = substr(field, 20) }
        if (field ~ /^Configs: ?/)          { cfg = field; sub(/^Configs: ?/, "", cfg) }
      }
      print name, parts, rf, "," cfg ","
    }')"

created=0; altered=0; problems=0
while read -r topic partitions rf retention_ms cleanup_policy rest; do
  [[ -z "${topic:-}" || "$topic" == \#* ]] && continue
  if [[ -z "${cleanup_policy:-}" || -n "${rest:-}" ]]; then
    log "malformed line for topic '$topic' in $topics_file"; exit 1
  fi
  [[ -n "$rf_override" ]] && rf="$rf_override"
  min_isr=$(( rf > 1 ? rf - 1 : 1 ))
  wanted=("retention.ms=$retention_ms" "cleanup.policy=$cleanup_policy" "min.insync.replicas=$min_isr")

  current="$(awk -v t="$topic" '$1 == t { print; exit }' <<<"$existing")"
  if [[ -z "$current" ]]; then
    config_args=()
    for kv in "${wanted[@]}"; do config_args+=(--config "$kv"); done
    "$kafka_bin/kafka-topics.sh" "${client_args[@]}" --create --if-not-exists --topic "$topic" \
      --partitions "$partitions" --replication-factor "$rf" "${config_args[@]}" >/dev/null
    log "created $topic (partitions=$partitions rf=$rf ${wanted[*]})"
    created=$((created + 1))
    continue
  fi

  read -r _ cur_partitions cur_rf cur_configs <<<"$current"
  if (( cur_partitions < partitions )); then
    "$kafka_bin/kafka-topics.sh" "${client_args[@]}" --alter --topic "$topic" --partitions "$partitions" >/dev/null
    log "raised $topic partitions $cur_partitions -> $partitions (keys now map to different partitions)"
    altered=$((altered + 1))
  elif (( cur_partitions > partitions )); then
    log "WARNING $topic has $cur_partitions partitions, file says $partitions: Kafka cannot reduce them; left as is"
    problems=$((problems + 1))
  fi
  if [[ "$cur_rf" != "$rf" ]]; then
    log "WARNING $topic has replication factor $cur_rf, file says $rf: needs a partition reassignment; left as is"
    problems=$((problems + 1))
  fi
  stale=()
  for kv in "${wanted[@]}"; do
    [[ "$cur_configs" == *",$kv,"* ]] || stale+=("$kv")
  done
  if (( ${#stale[@]} > 0 )); then
    # --add-config separates entries with commas, so a list value (compact,delete) goes in brackets.
    bracketed=()
    for kv in "${stale[@]}"; do
      if [[ "${kv#*=}" == *,* ]]; then bracketed+=("${kv%%=*}=[${kv#*=}]"); else bracketed+=("$kv"); fi
    done
    joined="$(IFS=,; echo "${bracketed[*]}")"
    "$kafka_bin/kafka-configs.sh" "${client_args[@]}" --alter --entity-type topics --entity-name "$topic" \
      --add-config "$joined" >/dev/null
    log "updated $topic configs: $joined"
    altered=$((altered + 1))
  fi
done <"$topics_file"

log "done: $created created, $altered altered, $problems warnings"
