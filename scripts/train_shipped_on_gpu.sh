#!/usr/bin/env bash
# Train the shipped weights of notebooks 04 and 06 on one CUDA GPU, all runs side by side, in a fixed wall budget:
#   - notebook 04's product generator in the notebook's full mode (width 64, batch 128, 6,000 steps);
#   - notebook 06's controllable generators, both heads, at each width x batch of SIZES, each for STEPS steps or
#     BUDGET seconds, with a snapshot every SNAPSHOT steps so the budgets can be compared afterwards on any machine
#     (benchmarks/controllable_generation.py measures them).
# Usage (repository root, a Python with torch and CUDA):  BUDGET=300 RESULTS=/some/dir scripts/train_shipped_on_gpu.sh
# The shipped notebook 06 weights:  PRODUCT_STEPS=0 SIZES=32x64 STEPS=60000 SNAPSHOT=5000 BUDGET=390 ...
# Each run's log and weights land in runs/gpu/; RESULTS (if set) receives one .tar.gz per run and the logs.
set -u
BUDGET=${BUDGET:-300}
PYTHON=${PYTHON:-python3}
PRODUCT_STEPS=${PRODUCT_STEPS:-6000}  # 0: skip notebook 04's generator; fewer only for a dry run on a CPU
SIZES=${SIZES:-"16x32 32x64"}           # notebook 06: width x batch of each pair of runs
STEPS=${STEPS:-200000}                  # notebook 06: steps per run (BUDGET usually ends it first)
RUNS=runs/gpu
mkdir -p "$RUNS"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1

nvidia-smi -L
"$PYTHON" -c "import sys, torch; print('python', sys.version.split()[0], 'torch', torch.__version__, torch.cuda.get_device_name())"

if [ "$PRODUCT_STEPS" -gt 0 ]; then
    "$PYTHON" scripts/train_shipped_product_gan.py --steps "$PRODUCT_STEPS" --chunk-steps "$PRODUCT_STEPS" \
        --evaluate 0 --run-dir "$RUNS/product" >"$RUNS/product.log" 2>&1 &
fi
for head in projection acgan; do
    for size in $SIZES; do
        width=${size%x*} batch=${size#*x}
        name="${head}_w${width}"
        "$PYTHON" scripts/train_controllable_gan.py --head "$head" --steps "$STEPS" --width "$width" \
            --batch-size "$batch" --log-every 500 --snapshot-every "${SNAPSHOT:-10000}" --max-seconds "$BUDGET" \
            --out "$RUNS/$name.npz" >"$RUNS/$name.log" 2>&1 &
    done
done
sleep "${FIRST_LOOK:-60}"
echo "--- after ${FIRST_LOOK:-60} s:"; tail -n 2 "$RUNS"/*.log
wait
echo "--- done:"; tail -n 3 "$RUNS"/*.log

if [ -n "${RESULTS:-}" ]; then
    mkdir -p "$RESULTS"
    if [ "$PRODUCT_STEPS" -gt 0 ]; then
        tar czf "$RESULTS/product.tar.gz" course_lib/product/assets "$RUNS"/product.log \
            "$RUNS"/product/train_seconds.json
    fi
    for head in projection acgan; do
        for size in $SIZES; do
            width=${size%x*}
            tar czf "$RESULTS/${head}_w${width}.tar.gz" "$RUNS/${head}_w${width}"*.npz "$RUNS/${head}_w${width}.log"
        done
    done
    ls -la "$RESULTS"
fi
