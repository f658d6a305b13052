#!/usr/bin/env bash
# Export benchmark: the Rust soopervisor against the time to read the project, and
# against the Python tool (soopervisor 0.9.3 / ploomber 0.23.3) at 1,000 tasks.
#
#   bash bench/run.sh [--sizes "1000 10000 100000"] [--backend-sizes "10000"]
#                     [--incremental-sizes "10000 100000"] [--py-backend-size N]
#                     [--runs N] [--no-python]
#                     [--py-runs N] [--keep] [--workdir DIR]
#
# Tables: inspect and the Argo export at each size against the read floor; every
# backend's export at --backend-sizes; incremental mode on a project whose products
# and .metadata all exist (generate_project.py --no-sql --built) against a regular-mode
# export of the same project (--incremental-sizes); and, unless --no-python, the Python
# tool against ours backend by backend at --py-backend-size tasks (default 1000) and
# its Argo export at 1,000 tasks when 1000 is among --sizes.
#
# Prints a markdown report on stdout and writes it to bench/results.md.
# Needs: cargo, python3; installs hyperfine and GNU time with apt-get if missing; the
# Python comparison creates .venv-bench (git-ignored) with pip unless $VENV points at
# a venv that already has soopervisor==0.9.3 and ploomber==0.23.3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES="1000 10000 100000"
BACKEND_SIZES="10000"
INCREMENTAL_SIZES="10000 100000"
PY_BACKEND_SIZE=1000
RUNS=5
PY_RUNS=1
PYTHON=1
KEEP=0
WORK=""
SEED=0
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        --backend-sizes) BACKEND_SIZES=$2; shift 2 ;;
        --incremental-sizes) INCREMENTAL_SIZES=$2; shift 2 ;;
        --py-backend-size) PY_BACKEND_SIZE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --py-runs) PY_RUNS=$2; shift 2 ;;
        --no-python) PYTHON=0; shift ;;
        --keep) KEEP=1; shift ;;
        --workdir) WORK=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
VENV=${VENV:-$ROOT/.venv-bench}
BIN=$ROOT/target/release/soopervisor
OUT=$ROOT/bench/results.md
log() { echo "[bench] $*" >&2; }

# --- tools ------------------------------------------------------------------------
apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2 || true
    $sudo apt-get install -y -qq "$@" >&2
}
command -v hyperfine >/dev/null || { log "installing hyperfine"; apt_install hyperfine; }
[ -x /usr/bin/time ] || { log "installing GNU time"; apt_install time; }

log "building target/release/soopervisor"
(cd "$ROOT" && cargo build --release -q -p soopervisor-cli >&2)

if [ "$PYTHON" = 1 ] && ! "$VENV/bin/python" -c "import soopervisor, ploomber" 2>/dev/null; then
    log "creating $VENV (pip install soopervisor==0.9.3 ploomber==0.23.3)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q soopervisor==0.9.3 ploomber==0.23.3 >&2
fi

if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /tmp/soopervisor-bench.XXXXXX)
    [ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"
log "projects in $WORK"

# --- helpers ----------------------------------------------------------------------
# hyperfine JSON -> "median_wall_s cpu_s(mean user+sys) exit_codes"
hf_stats() {
    python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
codes = sorted(set(r.get("exit_codes") or [0]))
print("%.4f %.4f %s" % (r["median"], r["user"] + r["system"], ",".join(map(str, codes))))
EOF
}
# hf NAME CMD [PREPARE] -> stats line (see hf_stats); failures are timed too (-i);
# PREPARE runs before each timed run
hf() {
    local name=$1 cmd=$2 json=$WORK/hf-$1.json
    local prepare=()
    [ -z "${3:-}" ] || prepare=(--prepare "$3")
    hyperfine -N -i -w 1 -r "$RUNS" "${prepare[@]}" --export-json "$json" "$cmd" >/dev/null 2>&1 \
        || hyperfine -i -w 1 -r "$RUNS" "${prepare[@]}" --export-json "$json" "$cmd" >/dev/null 2>&1
    hf_stats "$json"
}
# peak RSS in MB of one run
rss() {
    /usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>&1 || true
    tail -1 "$WORK/rss" | awk '{printf "%.1f", $1/1024}'
}
fmt_s() { awk -v v="$1" 'BEGIN{ if (v < 1) printf "%.0f ms", v*1000; else printf "%.2f s", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.1f", a/b }'; }

# --- measurements -----------------------------------------------------------------
ROWS=()
declare -A EXPORT_WALL EXPORT_CPU
for n in $SIZES; do
    dir=$WORK/p$n
    if [ ! -f "$dir/pipeline.yaml" ]; then
        log "generating $n tasks"
        python3 "$ROOT/bench/generate_project.py" "$n" "$dir" --seed "$SEED" >&2
    fi
    files=$(find "$dir" -type f -not -path '*/.git/*' | wc -l)
    bytes=$(find "$dir" -type f -not -path '*/.git/*' -printf '%s\n' | awk '{s+=$1} END{print s}')
    # warm the page cache once
    find "$dir" -type f -not -path '*/.git/*' -print0 | xargs -0 cat >/dev/null

    log "$n: read floor"
    read -r floor_w floor_c _ < <(hf "floor-$n" \
        "bash -c \"find '$dir' -type f -not -path '*/.git/*' -print0 | xargs -0 cat > /dev/null\"")
    log "$n: inspect"
    read -r insp_w insp_c insp_rc < <(hf "inspect-$n" "$BIN inspect --format json -C $dir")
    insp_m=$(rss "$BIN" inspect --format json -C "$dir")
    log "$n: export"
    # a real file outside the project: the export is written (atomically) as users get
    # it, with argo-templates.yaml beside it when the pipeline is split
    out=$WORK/out-$n/argo.yaml
    mkdir -p "$(dirname "$out")"
    export_cmd="$BIN export --backend argo --mode force --output $out -C $dir"
    read -r exp_w exp_c exp_rc < <(hf "export-$n" "$export_cmd")
    exp_m=$(rss $export_cmd)
    note=""
    if [ "$exp_rc" != 0 ]; then
        msg=$({ $export_cmd 2>&1 || true; } | grep -i -m1 error | cut -c1-110 || true)
        note=" (fails, exit $exp_rc: ${msg//|/\\|})"
    fi
    written="argo.yaml $(du -k "$out" 2>/dev/null | cut -f1) KiB"
    templates=$WORK/out-$n/argo-templates.yaml
    if [ -f "$templates" ]; then
        parts=$(grep -c '^kind: WorkflowTemplate' "$templates" || true)
        written="$written + $parts WorkflowTemplates $(du -k "$templates" | cut -f1) KiB"
    fi
    [ "$insp_rc" = 0 ] || note="$note (inspect exit $insp_rc)"
    EXPORT_WALL[$n]=$exp_w
    EXPORT_CPU[$n]=$exp_c
    ROWS+=("| $n | $files files, $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}') MiB | $(fmt_s "$insp_w") / $(fmt_s "$insp_c") | $insp_m MB | $(fmt_s "$exp_w") / $(fmt_s "$exp_c")$note | $exp_m MB | $written | $(fmt_s "$floor_w") / $(fmt_s "$floor_c") | $(ratio "$exp_w" "$floor_w") |")
done

PYROW=""
CHECK=""
if [ "$PYTHON" = 1 ] && [[ " $SIZES " == *" 1000 "* ]]; then
    py=$WORK/p1000-python
    rm -rf "$py" && cp -r "$WORK/p1000" "$py"
    log "python: same DAG? (ploomber lazy load vs soopervisor inspect)"
    CHECK=$("$VENV/bin/python" "$ROOT/bench/compare_dag.py" "$py" "$BIN" 2>/dev/null | tail -1) || CHECK="DAG comparison FAILED: $CHECK"
    log "python: git repo, soopervisor add, repository: null"
    (
        cd "$py"
        git init -q && git add -A && git -c user.email=bench@example.com -c user.name=bench commit -qm project
        PATH=$VENV/bin:$PATH soopervisor add training --backend argo-workflows >/dev/null 2>&1
        sed -i 's|repository: your-repository/name|repository: null|' soopervisor.yaml
    )
    walls=() cpus=() mems=()
    for i in $(seq "$PY_RUNS"); do
        log "python: export run $i/$PY_RUNS"
        (cd "$py" && PATH=$VENV/bin:$PATH /usr/bin/time -f "%e %U %S %M" -o "$WORK/pytime" \
            soopervisor export training --skip-docker --mode force >"$WORK/pyexport.log" 2>&1) \
            || { log "python export failed, see $WORK/pyexport.log"; tail -5 "$WORK/pyexport.log" >&2; }
        read -r w u s m <"$WORK/pytime"
        walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')"); mems+=("$m")
    done
    med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
    pw=$(med "${walls[@]}"); pc=$(med "${cpus[@]}"); pm=$(awk -v m="$(med "${mems[@]}")" 'BEGIN{printf "%.0f", m/1024}')
    grep -q "Done. Saved argo spec" "$WORK/pyexport.log" || pw="FAILED $pw"
    PYROW="| 1000 | Python soopervisor 0.9.3 \`export training --skip-docker --mode force\` ($PY_RUNS run(s)) | $(fmt_s "${pw##* }") / $(fmt_s "$pc") | $pm MB | **$(ratio "${pw##* }" "${EXPORT_WALL[1000]}")x** wall, **$(ratio "$pc" "${EXPORT_CPU[1000]}")x** CPU |"
fi

# --- every backend ----------------------------------------------------------------
# One target per backend in soopervisor.yaml (the keys each one requires, nothing
# more); each export writes into its target folder, as users run it.
BACKEND_ROWS=()
gen() { # gen N DIR [generator options]: a project, made once
    local n=$1 dir=$2; shift 2
    if [ ! -f "$dir/pipeline.yaml" ]; then
        log "generating $n tasks in $dir $*"
        python3 "$ROOT/bench/generate_project.py" "$n" "$dir" --seed "$SEED" "$@" >&2
    fi
}
for n in $BACKEND_SIZES; do
    dir=$WORK/p$n
    gen "$n" "$dir"
    cat >"$dir/soopervisor.yaml" <<'YAML'
b-argo:
  backend: argo
b-slurm:
  backend: slurm
b-airflow:
  backend: airflow
b-airflow-bash:
  backend: airflow
  preset: bash
b-batch:
  backend: aws-batch
  job_queue: bench-queue
  region_name: us-east-1
  storage: {kind: nfs, file_system_id: fs-0123456789abcdef0}
b-kubeflow:
  backend: kubeflow
YAML
    for target in b-argo b-slurm b-airflow b-airflow-bash b-batch b-kubeflow; do
        log "$n: export $target"
        cmd="$BIN export $target --mode force -C $dir"
        # every run writes a new target folder, as a first export does (an unchanged
        # file is not rewritten, so re-exports into the same folder cost less); the
        # old one is moved aside, since deleting 10,000 files makes some disks slow
        # for a while after
        fresh="mv $dir/$target $WORK/old-$target-\$(date +%s%N) 2>/dev/null || true"
        read -r w c rc < <(hf "backend-$target-$n" "$cmd" "bash -c \"$fresh\"")
        m=$(rss $cmd)
        note=""
        [ "$rc" = 0 ] || note=" (fails, exit $rc: $({ $cmd 2>&1 || true; } | grep -i -m1 error | cut -c1-100 || true))"
        size=$(du -sk "$dir/$target" 2>/dev/null | cut -f1)
        BACKEND_ROWS+=("| $n | \`$target\` | $(fmt_s "$w") / $(fmt_s "$c")$note | $m MB | ${size:-?} KiB |")
    done
    rm -f "$dir/soopervisor.yaml"
done

# --- incremental with everything built -------------------------------------------
INCR_ROWS=()
for n in $INCREMENTAL_SIZES; do
    dir=$WORK/pb$n
    gen "$n" "$dir" --no-sql --built
    find "$dir" -type f -print0 | xargs -0 cat >/dev/null
    out=$WORK/out-b$n/argo.yaml
    mkdir -p "$(dirname "$out")"
    log "$n built: regular export"
    read -r rw rc_ _ < <(hf "regular-b$n" "$BIN export --backend argo --mode regular --output $out -C $dir")
    rm_=$(rss "$BIN" export --backend argo --mode regular --output "$out" -C "$dir")
    log "$n built: incremental export (every task up to date)"
    read -r iw ic irc < <(hf "incremental-b$n" "$BIN export --backend argo --mode incremental --output $out -C $dir")
    im=$(rss "$BIN" export --backend argo --mode incremental --output "$out" -C "$dir")
    said=$("$BIN" export --backend argo --mode incremental --output "$out" -C "$dir" 2>&1 | tail -3 | tr '\n' ' ' | cut -c1-80)
    INCR_ROWS+=("| $n | $(fmt_s "$rw") / $(fmt_s "$rc_") | $rm_ MB | $(fmt_s "$iw") / $(fmt_s "$ic") | $im MB | **$(ratio "$iw" "$rw")x** | $said |")
done

# --- the Python tool, backend by backend ------------------------------------------
# At --py-backend-size tasks (default 1000): each backend the Python tool can export
# here, against ours on the same project. Its SLURM export submits every job with
# sbatch and its AWS Batch export calls AWS, so neither runs offline; its Kubeflow
# export fails on SQL products (SQLRelation is not a path), so Kubeflow is measured
# on a project without SQL tasks, by both tools.
PYB_ROWS=()
if [ "$PYTHON" = 1 ] && [ -n "$PY_BACKEND_SIZE" ]; then
    n=$PY_BACKEND_SIZE
    for spec in "argo-workflows argo -" "airflow airflow -" "kubeflow kubeflow --no-sql"; do
        read -r pyname ours genflag <<<"$spec"
        variant=p$n${genflag/--no-sql/-nosql}
        variant=${variant%-}
        if [ "$genflag" = - ]; then gen "$n" "$WORK/$variant"; else gen "$n" "$WORK/$variant" "$genflag"; fi
        py=$WORK/$variant-py-$ours
        rm -rf "$py" && cp -r "$WORK/$variant" "$py"
        (
            cd "$py"
            git init -q && git add -A && git -c user.email=bench@example.com -c user.name=bench commit -qm project
            PATH=$VENV/bin:$PATH soopervisor add t --backend "$pyname" >/dev/null 2>&1
            sed -i 's|repository: your-repository/name|repository: null|' soopervisor.yaml
        )
        log "python $pyname ($n tasks)"
        pyok=yes
        (cd "$py" && PATH=$VENV/bin:$PATH /usr/bin/time -f "%e %U %S %M" -o "$WORK/pytime" \
            soopervisor export t --skip-docker --mode force >"$WORK/pyexport-$ours.log" 2>&1) || pyok=no
        read -r w u s m <"$WORK/pytime"
        pc=$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')
        out=$WORK/out-py-$ours
        rm -rf "$out" && mkdir -p "$out"
        read -r rw rcpu rrc < <(hf "py-backend-ours-$ours-$n" "$BIN export --backend $ours --mode force --output $out/x -C $WORK/$variant")
        rm_=$(rss "$BIN" export --backend "$ours" --mode force --output "$out/x" -C "$WORK/$variant")
        result="$(fmt_s "$w") / $(fmt_s "$pc")"
        [ "$pyok" = yes ] || result="fails: $(grep -m1 -E 'Error|error' "$WORK/pyexport-$ours.log" | cut -c1-80)"
        [ "$rrc" = 0 ] || rw="FAILED $rw"
        label=""
        [ "$genflag" = - ] || label=" (project without SQL tasks)"
        PYB_ROWS+=("| $n | $ours (\`$pyname\`)$label | $result | $(awk -v m="$m" 'BEGIN{printf "%.0f", m/1024}') MB | $(fmt_s "${rw##* }") / $(fmt_s "$rcpu") | $rm_ MB | **$(ratio "$w" "${rw##* }")x** |")
    done
    PYB_ROWS+=("| $n | slurm, aws-batch | not measured: the Python tool's export submits the jobs (sbatch, AWS API) | | | | |")
fi

# --- report -----------------------------------------------------------------------
{
    echo "# soopervisor export benchmark"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?), $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/{print $2}') GiB RAM, load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Projects: \`bench/generate_project.py N --seed $SEED\`. Times: hyperfine median of $RUNS runs after 1 warm-up (wall) / mean user+sys CPU; memory: peak RSS (GNU time). Floor: \`find | xargs cat > /dev/null\` of every project file (page cache warm)."
    echo
    echo "| tasks | project | \`inspect --format json\` wall / CPU | inspect peak RSS | \`export --backend argo --mode force -o OUT/argo.yaml\` wall / CPU | export peak RSS | export wrote | read floor wall / CPU | export / floor (wall) |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    if [ "${#BACKEND_ROWS[@]}" -gt 0 ]; then
        echo
        echo "Every backend, \`export TARGET --mode force\` into a new target folder each run (hyperfine median wall / mean CPU, peak RSS, size of what it wrote):"
        echo
        echo "| tasks | target | wall / CPU | peak RSS | written |"
        echo "|---|---|---|---|---|"
        printf '%s\n' "${BACKEND_ROWS[@]}"
    fi
    if [ "${#INCR_ROWS[@]}" -gt 0 ]; then
        echo
        echo "Incremental re-run with every product and \`.metadata\` present (\`generate_project.py N --no-sql --built\`), against a regular-mode export of the same project (\`export --backend argo -o OUT\`):"
        echo
        echo "| tasks | regular wall / CPU | regular peak RSS | incremental wall / CPU | incremental peak RSS | incremental / regular (wall) | incremental says |"
        echo "|---|---|---|---|---|---|---|"
        printf '%s\n' "${INCR_ROWS[@]}"
    fi
    if [ "${#PYB_ROWS[@]}" -gt 0 ]; then
        echo
        echo "The Python tool (soopervisor 0.9.3, \`export t --skip-docker --mode force\`, one run, GNU time) against ours (\`export --backend B --mode force -o OUT\`, hyperfine median), backend by backend on the same project:"
        echo
        echo "| tasks | backend | Python wall / CPU | Python peak RSS | ours wall / CPU | our peak RSS | Python / ours (wall) |"
        echo "|---|---|---|---|---|---|---|"
        printf '%s\n' "${PYB_ROWS[@]}"
    fi
    if [ -n "$PYROW" ]; then
        echo
        echo "| tasks | Python tool | wall / CPU | peak RSS | Python / Rust export |"
        echo "|---|---|---|---|---|"
        echo "$PYROW"
        echo
        echo "$CHECK"
    fi
} | tee "$OUT"
log "written $OUT"
