#!/bin/bash
# Local encdec experiment: the context run's 300 architectures (150 NB101 at stem 64, 150 mobile 96-224 px)
# plus 150 encoder-decoders (96-224 px), and the zoo, CPU t1/t2, in-model rows; reported with and without
# the encdec family. COUNT (150) architectures per family, WORK (/tmp/encdec) the work folder.
set -e
cd "$(dirname "$0")/../../.."  # the project root
W=${WORK:-/tmp/encdec}
A=$W/archs
mkdir -p $A
.venv/bin/python profiles/gen/gen_archs.py --family nb101 --seed 7 --count ${COUNT:-150} --out $A/nb101 --resolution 32 --stem-channels 64 --writer hetsched > /dev/null 2>&1
.venv/bin/python profiles/gen/gen_archs.py --family mobile --seed 7 --count ${COUNT:-150} --out $A/mobile --min-res 96 --max-res 224 --writer hetsched > /dev/null 2>&1
.venv/bin/python profiles/gen/gen_archs.py --family encdec --seed 7 --count ${COUNT:-150} --out $A/encdec --min-res 96 --max-res 224 --writer hetsched > /dev/null 2>&1
export HETSCHED_CACHE_DIR=$W/cache
rm -f $W/dataset.csv $W/zoo.csv
start=$SECONDS
build/hetsched profile $(find $A -name '*.tflite' | sort) --threads 1,2 --samples 5 --rel-ci 0.03 --range-share 0.34 --out $W/dataset.csv --no-device-profile 2> $W/profile.log
echo "archs $((SECONDS-start)) s"
zoo=(); for f in models/*.tflite; do [[ $f == *.litert.tflite || $f == *attention* ]] || zoo+=($f); done
build/hetsched profile "${zoo[@]}" --threads 1,2 --samples 5 --no-measurement-cache --out $W/zoo.csv --no-device-profile 2>> $W/profile.log
echo "zoo $((SECONDS-start)) s"
.venv/bin/python - "$W" <<'PY'
import csv, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/dataset.csv")))
with open(f"{w}/dataset_no_encdec.csv", "w", newline="") as f:
    out = csv.DictWriter(f, fieldnames=rows[0].keys())
    out.writeheader()
    out.writerows(r for r in rows if "encdec_" not in r["model"])
PY
.venv/bin/python profiles/report.py --train $W/dataset.csv --zoo $W/zoo.csv --out $W/with_encdec --label "2-core VM, with encdec" > /dev/null
.venv/bin/python profiles/report.py --train $W/dataset_no_encdec.csv --zoo $W/zoo.csv --out $W/without_encdec --label "2-core VM, without encdec" > /dev/null
echo done
