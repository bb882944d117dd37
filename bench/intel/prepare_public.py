#!/usr/bin/env python3
"""Turn the public Splink benchmark data into the `safehub link` input contract.

Usage: prepare_public.py DATASETS_DIR OUT_DIR

For each data set writes OUT_DIR/<name>.input.csv (unique_id plus contract columns; the
FEBRL `state` column is kept and is reported as ignored by the linker) and
OUT_DIR/<name>.truth.csv (unique_id,truth).

- fake_1000: columns are already in the contract; truth is `cluster`.
- febrl3 (dataset3.csv) and febrl4 (dataset4a.csv + dataset4b.csv, concatenated): truth is
  the rec_id prefix (`rec-123-org` and `rec-123-dup-0` are person `rec-123`), the same rule
  as Splink's own FEBRL examples. Mapping: given_name -> first_name, surname -> surname,
  street_number + address_1 + address_2 -> address, suburb -> city, postcode -> postcode,
  date_of_birth -> dob, soc_sec_id -> national_id.

Standard library only.
"""

import csv
import os
import re
import sys


def read_febrl(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        for row in reader:
            yield dict(zip(header, (v.strip() for v in row)))


def write(out_dir, name, rows, truth):
    cols = ["unique_id", "first_name", "surname", "dob", "address", "postcode", "city",
            "national_id", "state"]
    if rows and "email" in rows[0]:
        cols = ["unique_id", "first_name", "surname", "dob", "city", "email"]
    with open(os.path.join(out_dir, f"{name}.input.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(out_dir, f"{name}.truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unique_id", "truth"])
        w.writerows(truth)
    print(f"{name}: {len(rows)} records")


def febrl_rows(paths):
    rows, truth = [], []
    for p in paths:
        for r in read_febrl(p):
            uid = r["rec_id"]
            m = re.match(r"^([^-]+-[^-]+)", uid)
            truth.append((uid, m.group(1) if m else uid))
            address = " ".join(x for x in (r["street_number"], r["address_1"], r["address_2"]) if x)
            rows.append({
                "unique_id": uid,
                "first_name": r["given_name"],
                "surname": r["surname"],
                "dob": r["date_of_birth"],
                "address": address,
                "postcode": r["postcode"],
                "city": r["suburb"],
                "national_id": r["soc_sec_id"],
                "state": r["state"],
            })
    return rows, truth


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "fake_1000.csv"), newline="", encoding="utf-8") as f:
        fake = list(csv.DictReader(f))
    write(out, "fake_1000", fake, [(r["unique_id"], r["cluster"]) for r in fake])
    write(out, "febrl3", *febrl_rows([os.path.join(src, "dataset3.csv")]))
    write(out, "febrl4", *febrl_rows([os.path.join(src, "dataset4a.csv"),
                                      os.path.join(src, "dataset4b.csv")]))


if __name__ == "__main__":
    main()
