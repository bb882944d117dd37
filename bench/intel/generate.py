#!/usr/bin/env python3
"""Synthetic intelligence mentions with ground truth, for `safehub link` benchmarks.

Usage: generate.py OUT_DIR MENTIONS SEED
Writes OUT_DIR/synthetic_<MENTIONS>.input.csv (the link contract) and
OUT_DIR/synthetic_<MENTIONS>.truth.csv (unique_id,truth).

Each person is mentioned 1 to 8 times (mean about 3) as different agencies would write them:
nicknames instead of given names (Jay for Jamal, Bob for Robert), typos, missing dates of
birth, phone numbers in every UK format, misread plates (0/O, 1/I, 5/S, 8/B, 2/Z, 6/G) and
partial plates with `?`, make and colour aliases (VW/Volkswagen, grey/silver), postcodes with
and without the space. People in planted networks (3 to 6 people) share a car or a phone,
which must NOT merge them: shared attributes are evidence of association, not identity.
Standard library only; deterministic for a seed.
"""

import csv
import os
import random
import sys

FIRST = {
    "robert": ["bob", "rob", "bobby"], "william": ["will", "bill", "liam"],
    "jamal": ["jay", "jamaal"], "james": ["jim", "jamie"], "michael": ["mike", "mick"],
    "thomas": ["tom", "tommy"], "christopher": ["chris"], "daniel": ["dan", "danny"],
    "joseph": ["joe", "joey"], "muhammad": ["mohammed", "mohamed", "mo"],
    "elizabeth": ["liz", "beth", "lizzie"], "katherine": ["kate", "katie", "kathy"],
    "jessica": ["jess"], "rebecca": ["becky", "becca"], "samantha": ["sam"],
    "alexander": ["alex", "al"], "nicholas": ["nick"], "anthony": ["tony"],
    "aisha": ["ayesha"], "connor": ["conor"], "tyrone": ["ty"], "oliver": ["ollie"],
    "charlotte": ["charlie", "lottie"], "victoria": ["vicky", "tori"],
    "kieran": ["ciaran"], "reece": ["rhys"], "leah": [], "jade": [], "kyle": [], "dean": [],
    "amir": [], "ravi": [], "priya": [], "chloe": [], "megan": [], "shannon": [],
    "liam": [], "ryan": [], "callum": [], "jordan": [], "tariq": [], "imran": [],
    "zara": [], "amelia": [], "freya": [], "harvey": [], "mason": [], "lewis": [],
}
SURNAMES = (
    "smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson "
    "thompson wright walker white edwards hughes green hall lewis harris clarke patel jackson "
    "wood turner martin cooper hill ward morris moore clark lee king baker harrison morgan "
    "allen james scott phillips watson davis parker price bennett young griffiths mitchell "
    "kelly cook carter richardson bailey collins bell shaw murphy miller cox richards khan "
    "marshall anderson simpson ellis adams singh begum wilkinson foster chapman powell webb "
    "rogers gray mason ali hunt hussain campbell matthews owen palmer holmes mills barnes "
    "knight lloyd butler russell barker fisher stevens jenkins murray dixon harvey reid "
    "akhtar ahmed okafor mensah nowak kowalski"
).split()
CITIES = ["birmingham", "coventry", "wolverhampton", "walsall", "dudley", "solihull",
          "west bromwich", "sutton coldfield", "redditch", "stourbridge"]
MAKES = {"volkswagen": (["vw", "Volkswagen", "VW"], ["golf", "polo", "passat"]),
         "ford": (["Ford", "FORD"], ["fiesta", "focus", "transit"]),
         "vauxhall": (["Vauxhall"], ["corsa", "astra", "insignia"]),
         "bmw": (["BMW", "bmw"], ["3 series", "x5", "1 series"]),
         "mercedes": (["Mercedes-Benz", "Merc", "mercedes"], ["c class", "a class"]),
         "toyota": (["Toyota"], ["yaris", "prius", "aygo"]),
         "audi": (["Audi"], ["a3", "a4", "q5"])}
COLOURS = {"grey": ["grey", "gray", "silver"], "black": ["black", "blk"],
           "white": ["white"], "blue": ["blue", "navy"], "red": ["red", "maroon"],
           "silver": ["silver", "grey"]}
CONFUSE = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8",
           "2": "Z", "Z": "2", "6": "G", "G": "6"}
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def typo(rng, s):
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.3:
        return s[:i] + s[i + 1:]
    if op < 0.6:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op < 0.8:
        return s[:i] + s[i] + s[i:]
    return s[:i] + rng.choice("aeiounrst") + s[i + 1:]


def plate(rng):
    return (rng.choice(LETTERS) + rng.choice(LETTERS) + f"{rng.randrange(2, 75):02d}"
            + "".join(rng.choice(LETTERS) for _ in range(3)))


def phone(rng):
    return f"07{rng.randrange(100, 999)}{rng.randrange(100000, 999999)}"


def phone_variant(rng, p):
    n = p[1:]
    forms = [p, f"{p[:5]} {p[5:]}", f"+44 {n[:4]} {n[4:]}", f"+44 (0){n[:4]} {n[4:]}",
             f"0044{n}", f"({p[:5]}) {p[5:8]}-{p[8:]}", f"{p[:5]}.{p[5:8]}.{p[8:]}"]
    return rng.choice(forms)


def plate_variant(rng, v):
    r = rng.random()
    if r < 0.12:  # partial: one or two unknown characters
        k = list(v)
        for i in rng.sample(range(len(k)), rng.choice([1, 1, 2])):
            k[i] = "?"
        return "".join(k)
    if r < 0.24:  # misread confusable
        idx = [i for i, c in enumerate(v) if c in CONFUSE]
        if idx:
            i = rng.choice(idx)
            return v[:i] + CONFUSE[v[i]] + v[i + 1:]
    if r < 0.6:
        return f"{v[:4]} {v[4:]}"
    return v.lower() if rng.random() < 0.3 else v


def postcode(rng):
    area = rng.choice(["B", "CV", "WV", "WS", "DY", "B"])
    return f"{area}{rng.randrange(1, 40)} {rng.randrange(1, 10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"


def main():
    out_dir, n_mentions, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    people = []
    total = 0  # mentions planned so far (a running total: summing each time is quadratic)
    while total < n_mentions:
        first = rng.choice(list(FIRST))
        make = rng.choice(list(MAKES))
        people.append({
            "first": first, "surname": rng.choice(SURNAMES),
            "dob": f"{rng.randrange(1960, 2008)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "gender": rng.choice(["M", "F"]), "phone": phone(rng), "vrm": plate(rng),
            "make": make, "model": rng.choice(MAKES[make][1]), "colour": rng.choice(list(COLOURS)),
            "postcode": postcode(rng), "city": rng.choice(CITIES),
            "n": min(8, max(1, int(rng.expovariate(1 / 2.2)) + 1)),
        })
        total += people[-1]["n"]
    # Planted networks: 3-6 people share one car or one phone.
    i = 0
    while i < len(people) * 0.3:
        size = rng.randrange(3, 7)
        group = people[i:i + size]
        if rng.random() < 0.5:
            for p in group[1:]:
                p["vrm"], p["make"], p["model"], p["colour"] = (
                    group[0]["vrm"], group[0]["make"], group[0]["model"], group[0]["colour"])
        else:
            for p in group[1:]:
                p["phone"] = group[0]["phone"]
        i += size
    rows, truth = [], []
    uid = 0
    for pid, p in enumerate(people):
        for _ in range(p["n"]):
            if uid >= n_mentions:
                break
            first = p["first"]
            nick = ""
            r = rng.random()
            if r < 0.2 and FIRST[first]:
                first = rng.choice(FIRST[first])
            elif r < 0.3:
                first = typo(rng, first)
            elif r < 0.38 and FIRST[p["first"]]:
                nick = rng.choice(FIRST[p["first"]])
            surname = typo(rng, p["surname"]) if rng.random() < 0.1 else p["surname"]
            if rng.random() < 0.5:
                first, surname = first.title(), surname.upper()
            dob = "" if rng.random() < 0.35 else p["dob"]
            if dob and rng.random() < 0.05:
                y, m, d = dob.split("-")
                dob = f"{y}-{d}-{m}" if int(d) <= 12 else f"{y}-{m}-{int(d) % 28 + 1:02d}"
            if dob and rng.random() < 0.3:
                y, m, d = dob.split("-")
                dob = f"{d}/{m}/{y}"
            has_car = rng.random() < 0.45
            make_alias = rng.choice(MAKES[p["make"]][0])
            rows.append({
                "unique_id": f"m{uid}",
                "first_name": first, "surname": surname, "nickname": nick, "dob": dob,
                "gender": p["gender"] if rng.random() < 0.7 else "",
                "phone": phone_variant(rng, p["phone"]) if rng.random() < 0.5 else "",
                "vrm": plate_variant(rng, p["vrm"]) if has_car else "",
                "make": make_alias if has_car and rng.random() < 0.7 else "",
                "model": p["model"] if has_car and rng.random() < 0.5 else "",
                "colour": rng.choice(COLOURS[p["colour"]]) if has_car and rng.random() < 0.6 else "",
                "postcode": (p["postcode"].replace(" ", "") if rng.random() < 0.3 else p["postcode"])
                if rng.random() < 0.5 else "",
                "city": p["city"] if rng.random() < 0.6 else "",
            })
            truth.append((f"m{uid}", f"p{pid}"))
            uid += 1
    rng.shuffle(rows)
    name = f"synthetic_{n_mentions}"
    with open(os.path.join(out_dir, f"{name}.input.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(out_dir, f"{name}.truth.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unique_id", "truth"])
        w.writerows(truth)
    print(f"{name}: {len(rows)} mentions of {len(people)} people")


if __name__ == "__main__":
    main()
