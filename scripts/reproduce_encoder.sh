#!/bin/bash
# Rebuild the shipped encoder (kgbuild/data/encoder) from a fresh clone: the three training stages of
# bench/encoder_v2/NOTES.md replayed by step count (no wall-clock planning), one thread, fixed seeds.
# Needs the [train] extra:  pip install -e '.[train]'   Takes ~90 min of one core (longer on a busy machine).
#
#   scripts/reproduce_encoder.sh RUNS_DIR
#
# Replayed this way on a clean checkout (2026-12-03, code of be2fa09), every stage gave a model.pt with the
# same sha256 as the original run (stage 1 b8e750c2..., stage 2 02d4d625... = the card's init_sha256), and
# the int8 export is byte-identical to the shipped model.int8.onnx (93c4b2de...): the same dev scores, to the
# last digit. RUNS_DIR/stage3/eval.jsonl holds the int8 dev scores to compare with kgbuild/data/encoder/card.json.
set -euo pipefail
runs=${1:?usage: scripts/reproduce_encoder.sh RUNS_DIR}
export OMP_NUM_THREADS=1
train="kgbuild train --minutes 100000 --eval-minutes 100000 --schedule-from 30"
$train --out "$runs/stage1" --seed 13 --lr 1e-4 --head-lr 1e-3 --warmup 0.06 --schedule-steps 391 --max-steps 321
$train --out "$runs/stage2" --init "$runs/stage1/model.pt" --seed 14 --lr 5e-5 --head-lr 5e-4 --warmup 0.03 \
    --schedule-steps 523 --max-steps 378
$train --out "$runs/stage3" --init "$runs/stage2/model.pt" --seed 15 --lr 3e-5 --head-lr 3e-4 --warmup 0.03 \
    --schedule-steps 249 --max-steps 249
python -m kgbuild.encoder.onnx export "$runs/stage3"
python -m kgbuild.encoder.onnx eval "$runs/stage3" --model model.int8.onnx > "$runs/stage3/eval.jsonl"
sha256sum "$runs"/stage*/model.pt
