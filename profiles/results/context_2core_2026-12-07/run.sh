#!/bin/bash
# Local context experiment: 300 architectures (150 NB101 at stem 64, 150 mobile 96-224 px) + the zoo, CPU t1/t2, in-model rows.
set -e
cd "$(dirname "$0")/../../.."  # the project root
A=/tmp/ctx/archs
mkdir -p $A
.venv/bin/python profiles/gen/gen_archs.py --family nb101 --seed 7 --count 150 --out $A/nb101 --resolution 32 --stem-channels 64 --writer hetsched > /dev/null
.venv/bin/python profiles/gen/gen_archs.py --family mobile --seed 7 --count 150 --out $A/mobile --min-res 96 --max-res 224 --writer hetsched > /dev/null
export HETSCHED_CACHE_DIR=/tmp/ctx/cache
rm -f /tmp/ctx/dataset.csv /tmp/ctx/zoo.csv
start=$SECONDS
build/hetsched profile $(find $A -name '*.tflite' | sort) --threads 1,2 --samples 5 --rel-ci 0.03 --range-share 0.34 --out /tmp/ctx/dataset.csv --no-device-profile 2> /tmp/ctx/profile.log
echo "archs $((SECONDS-start)) s"
zoo=(); for f in models/*.tflite; do [[ $f == *.litert.tflite || $f == *attention* ]] || zoo+=($f); done
build/hetsched profile "${zoo[@]}" --threads 1,2 --samples 5 --no-measurement-cache --out /tmp/ctx/zoo.csv --no-device-profile 2>> /tmp/ctx/profile.log
echo "zoo $((SECONDS-start)) s"
.venv/bin/python profiles/report.py --train /tmp/ctx/dataset.csv --zoo /tmp/ctx/zoo.csv --out /tmp/ctx/report --label "2-core VM context experiment" > /dev/null
echo done
