#!/usr/bin/env bash
# AWS Batch: every fixture's batch.json passes botocore's model (batch-check.sh
# --check-refs); a 50-upstream fan-in stays within 20 dependsOn per job and still waits
# for every upstream task; then real submissions on the emulated Batch
# (tests/batch-e2e.sh, which starts and stops moto's server itself).
set -euo pipefail
if [[ ! -d ../shared/engines ]]; then echo "skipping aws-batch checks: ../shared not found"; exit 0; fi
ENGINES=$(cd ../shared/engines && pwd)
BIN=${SOOPERVISOR_BIN:-$PWD/target/release/soopervisor}
OUT=$PWD/target/ci-batch
rm -rf "$OUT"; mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ci-batch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

section() { # the aws-batch target every fixture is exported with
  cat <<'EOF'
batch:
  backend: aws-batch
  job_queue: ci-queue
  storage: {kind: nfs, file_system_id: fs-0123456789abcdef0}
  env: {kind: image, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/env:1}
  task_resources:
    "*": {vcpus: 1, memory: 2048}
EOF
}

echo "== aws-batch: export every fixture (force mode) and check it with botocore's model"
count=0
for dir in tests/fixtures/*/ docs/examples/demo/; do
  name=$(basename "$dir")
  [[ -f tests/expected/$name.export-error ]] && continue
  args=()
  if [[ -f tests/expected/$name.args ]]; then read -r -a args < "tests/expected/$name.args"; fi
  cp -r "$dir" "$WORK/$name"
  section >> "$WORK/$name/soopervisor.yaml"
  "$BIN" export batch -C "$WORK/$name" --mode force "${args[@]}" >"$WORK/export.log" 2>&1 \
    || { cat "$WORK/export.log"; echo "export of $name failed"; exit 1; }
  cp "$WORK/$name/batch/batch.json" "$OUT/$name.json"
  bash "$ENGINES/batch-check.sh" --check-refs "$OUT/$name.json"
  count=$((count + 1))
done
echo "checked $count fixture exports"

echo "== aws-batch: a task with 50 upstream tasks"
FAN=$WORK/fan-in
mkdir -p "$FAN/scripts"
{
  echo "tasks:"
  for i in $(seq -w 1 50); do
    echo "  - source: scripts/part.sh"
    echo "    name: part-$i"
    echo "    product: out/part-$i.txt"
    echo "    params: {n: \"$i\"}"
  done
  echo "  - source: scripts/join.sh"
  echo "    name: join"
  echo "    product: out/join.txt"
} > "$FAN/pipeline.yaml"
echo 'echo {{n}} > {{product}}' > "$FAN/scripts/part.sh"
{
  printf 'cat'
  for i in $(seq -w 1 50); do printf ' {{upstream["part-%s"]}}' "$i"; done
  echo ' > {{product}}'
} > "$FAN/scripts/join.sh"
section > "$FAN/soopervisor.yaml"
"$BIN" export batch -C "$FAN" --mode force >"$WORK/export.log" 2>&1 || { cat "$WORK/export.log"; exit 1; }
cp "$FAN/batch/batch.json" "$OUT/fan-in.json"
bash "$ENGINES/batch-check.sh" --check-refs "$OUT/fan-in.json"
python3 - "$OUT/fan-in.json" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
jobs = plan["SubmitJob"]
seen, deps = set(), {}
for j in jobs:
    ds = [d["jobId"][2:-1] for d in j.get("dependsOn", [])]
    assert len(ds) <= 20, f"{j['jobName']} has {len(ds)} dependsOn"
    assert all(d in seen for d in ds), f"{j['jobName']} depends on a later job"
    seen.add(j["jobName"]); deps[j["jobName"]] = ds
def closure(n):
    out, todo = set(), list(deps[n])
    while todo:
        d = todo.pop()
        if d not in out:
            out.add(d); todo.extend(deps[d])
    return out
parts = {f"part-{i:02d}" for i in range(1, 51)}
assert parts <= closure("join"), "join does not wait for every part"
assert len(deps["join"]) <= 20 and len(jobs) > 51, "no barrier jobs were used"
env = {e["name"]: e["value"] for j in jobs if j["jobName"] == "join" for e in j["containerOverrides"]["environment"]}
assert env["PLOOMBER_TASK"] == "join"
print(f"fan-in OK: {len(jobs)} jobs ({len(jobs) - 51} barriers), join waits for all 50 parts through {len(deps['join'])} dependsOn")
EOF

echo "== aws-batch: real submissions on the emulated Batch"
bash tests/batch-e2e.sh "$BIN"
