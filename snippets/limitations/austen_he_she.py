import re
from collections import Counter
from pathlib import Path

# What the tiny models learned from: the five novels of the workshop's training set.
BOOKS = ["emma", "mansfieldpark", "northangerabbey", "prideprejudice", "sensesensibility"]
words = re.findall(r"[a-z']+", " ".join(Path(f"data/austen/{b}.txt").read_text().lower() for b in BOOKS))

after = {"he": Counter(), "she": Counter()}
for first, was, word in zip(words, words[1:], words[2:]):
    if first in after and was == "was":
        after[first][word] += 1
total = {k: sum(v.values()) for k, v in after.items()}
print("「he was」「she was」の回数:", total)

# Every word that follows he and she together at least 8 times, except a fixed list of frequent function words
# (some, like "and" and "with", are not on it): the table is not picked word by word.
FUNCTION = {"not", "to", "very", "in", "so", "a", "the", "at", "now", "quite", "as", "too", "all", "an", "of", "on",
            "no", "then", "more", "still", "only", "by", "never", "for", "always", "therefore", "much", "almost"}
both = after["he"] + after["she"]
chosen = [w for w, n in both.items() if n >= 8 and w not in FUNCTION]
print(f"{'続く語':<10}{'he was':>8}{'she was':>9}   1,000 回あたり he / she")
for word in sorted(chosen, key=lambda w: after["he"][w] / total["he"] - after["she"][w] / total["she"]):
    he, she = after["he"][word], after["she"][word]
    print(f"{word:<10}{he:>8}{she:>9}   {1000 * he / total['he']:5.1f} / {1000 * she / total['she']:5.1f}")
