#!/usr/bin/env python3
"""Splink 5 (DuckDB backend) baseline on the public benchmark data, configured as Splink's
own documentation does for each data set:

- fake_1000: the README "Quickstart" (NameComparison first_name, JaroAtThresholds surname,
  DateOfBirthComparison, ExactMatch city with term frequencies, EmailComparison; blocking on
  first_name+dob and surname; prior from first_name+surname at recall 0.7; u by random
  sampling 1e6 pairs; EM on first_name+surname and on email; predict at match weight -5;
  cluster at 0.95).
- febrl3: docs/demos/examples/duckdb/febrl3 (blocking on soc_sec_id, given_name, surname,
  date_of_birth, postcode; NameComparison x2, DateOfBirthComparison, DamerauLevenshtein
  soc_sec_id [2], ExactMatch street_number and postcode with term frequencies; deterministic
  rules at recall 0.9; u 1e6 pairs seed 2; EM on date_of_birth and postcode; predict at 0.2).
  That example stops at pairwise predictions; clusters are made at 0.99 as in the febrl4
  example.
- febrl4: docs/demos/examples/duckdb/febrl4 "detailed model" (link_only; predict at 0.2;
  cluster at 0.99).

- synthetic_N (our generator, see generate.py): DATASETS_DIR is the folder with
  synthetic_N.input.csv; see `synthetic` below.

Usage: splink_baseline.py DATASET DATASETS_DIR OUT.csv
Writes unique_id,cluster_id for every record and prints the in-process wall time.
"""

import sys
import time

import duckdb
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def read(path):
    df = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip())
    return df.replace({"": None})


def fake_1000(src):
    df = read(f"{src}/fake_1000.csv").drop(columns=["cluster"])
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.JaroAtThresholds("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "dob"),
            block_on("surname"),
        ],
    )
    linker = Linker(db_api.register(df), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    predictions = linker.inference.predict(threshold_match_weight=-5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    out = clusters.as_pandas_dataframe()
    return out[["unique_id", "cluster_id"]]


def febrl3(src):
    df = read(f"{src}/dataset3.csv")
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    blocking_rules = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(db_api.register(df), settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.99
    )
    out = clusters.as_pandas_dataframe()
    return out.rename(columns={"rec_id": "unique_id"})[["unique_id", "cluster_id"]]


def febrl4(src):
    dfs = [read(f"{src}/dataset4a.csv"), read(f"{src}/dataset4b.csv")]
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(d) for d in dfs], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.99
    )
    out = clusters.as_pandas_dataframe()
    return out.rename(columns={"rec_id": "unique_id"})[["unique_id", "cluster_id"]]


def synthetic(src, name):
    """Our synthetic mentions. Splink's documentation asks for cleaned, standardised inputs
    before linking, so names are lower-cased, dates put in ISO form, phones reduced to
    national digits, plates and postcodes upper-cased without spaces. The model follows the
    documented pattern (NameComparison, DateOfBirthComparison, exact matches with term
    frequencies, deterministic-rule prior at recall 0.7, u by random sampling, EM on two
    rules, predict at match weight -5, cluster at 0.95)."""
    df = read(f"{src}/{name}.input.csv")

    def iso(d):
        if d is None:
            return None
        if "/" in d:
            dd, mm, yy = d.split("/")
            return f"{yy}-{mm}-{dd}"
        return d

    def digits(p):
        if p is None:
            return None
        p = p.replace("(0)", "")
        d = "".join(ch for ch in p if ch.isdigit())
        for prefix in ("0044", "44"):
            if d.startswith(prefix):
                d = "0" + d[len(prefix):]
        return d

    def compact(v):
        return None if v is None else "".join(ch for ch in v.upper() if ch.isalnum() or ch == "?")

    df["first_name"] = df["first_name"].str.lower()
    df["surname"] = df["surname"].str.lower()
    df["dob"] = df["dob"].map(iso)
    df["phone"] = df["phone"].map(digits)
    df["vrm"] = df["vrm"].map(compact)
    df["postcode"] = df["postcode"].map(compact)
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, invalid_dates_as_null=True),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("vrm", [1]),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "dob"),
            block_on("surname", "dob"),
            block_on("surname", "postcode"),
            block_on("phone"),
            block_on("vrm"),
        ],
    )
    linker = Linker(db_api.register(df), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("surname", "phone")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    predictions = linker.inference.predict(threshold_match_weight=-5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    out = clusters.as_pandas_dataframe()
    return out[["unique_id", "cluster_id"]]


def main():
    name, src, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    start = time.perf_counter()
    if name.startswith("synthetic"):
        out = synthetic(src, name)
    else:
        out = {"fake_1000": fake_1000, "febrl3": febrl3, "febrl4": febrl4}[name](src)
    elapsed = time.perf_counter() - start
    out.to_csv(out_path, index=False)
    print(f"splink_seconds={elapsed:.3f} rows={len(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
