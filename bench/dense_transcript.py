"""A synthetic transcript dense with recommendations, for reload benchmarks.

``dense_transcript(size)`` returns about ``size`` characters of labelled turns, each a few
recommendation sentences ("The Ministry of Health should publish the audit report every year.")
drawn from a fixed vocabulary with a fixed random seed, so the same size gives the same text;
some sentences recur, as they do in real debates ("I agree. The Council should ...").
"""
from __future__ import annotations

import random

SPEAKERS = ["Ms. Alice Smith", "Mr. Bob Jones", "Dr. Carol White", "The Chair", "Mr. Li Wei", "Ms. Amal Haddad"]
ACTORS = ["The Ministry of Health", "The Council", "The Secretariat", "Member States", "The Department",
          "The Commission", "The regulator", "Local authorities", "The Government", "Donors"]
VERBS = ["should publish", "must review", "should fund", "should strengthen", "must report on",
         "should consider", "should expand", "must improve"]
OBJECTS = ["the audit report", "the training budget", "the inspection regime", "the data on outcomes",
           "the early-warning system", "the guidance for schools", "the staffing plan", "the complaints process",
           "the procurement rules", "the mental health service"]
WHEN = ["every year", "by next spring", "within six months", "before the next session", "as a priority",
        "in every region", "without delay", "by the end of 2027"]


def dense_transcript(size: int = 1_000_000, seed: int = 8) -> str:
    rng = random.Random(seed)
    parts = ["Committee on Public Services\n\nMonday, 2 March 2026\n\n"]
    total = len(parts[0])
    said: list[str] = []
    while total < size:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            if said and rng.random() < 0.08:
                sentences.append(rng.choice(said))  # a sentence said before, word for word
                continue
            s = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}."
            said.append(s)
            sentences.append(s)
        turn = f"{rng.choice(SPEAKERS)}: " + " ".join(sentences) + "\n\n"
        parts.append(turn)
        total += len(turn)
    return "".join(parts)
