#!/usr/bin/env python3
"""Generate a large synthetic news corpus (JSONL) with realistic wire-copy reuse.

Usage: benches/make_corpus.py N OUT.jsonl [--seed S] [--base ../shared/corpora/news.jsonl.gz]

Reads the real articles of news.jsonl.gz (Reuters-21578 + BBC News; research use, see
README "Data") and writes N articles of about 3 KB each:

* wire stories (outlets AP, Reuters, AFP): real articles joined to ~3 KB;
* copies: each wire story is run by 2 to several hundred outlets (heavy-tailed: most by a
  handful, a few by hundreds), each taking a contiguous run of a third to all of its
  paragraphs, with 0-15 % of words replaced or dropped, sometimes a British spelling, and
  its own intro and closing sentences;
* unrelated articles (about 75 %): words drawn from the real articles' word frequencies,
  with stock phrases (the 300 most frequent word 5-grams of the real articles: "said in a
  statement", earnings-table lines) sprinkled in, so stock phrases recur across thousands of
  articles as in real news while the articles are not copies. (A bigram Markov chain was
  tried first: it makes unrelated articles share far more 5-grams than real news does.)

Deterministic for a given seed. Generated data is not committed (see .gitignore).
"""

import argparse
import gzip
import json
import random
import sys

BRITISH = [("organization", "organisation"), ("center", "centre"), ("color", "colour"),
           ("defense", "defence"), ("toward", "towards"), ("labor", "labour"),
           ("program", "programme"), ("analyze", "analyse"), ("favor", "favour")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--base", default="../shared/corpora/news.jsonl.gz")
    ap.add_argument("--copy-share", type=float, default=0.25)
    ap.add_argument("--outlets", type=int, default=600,
                    help="outlets the copies and unrelated articles are spread over")
    ap.add_argument("--footers", action="store_true",
                    help="end each outlet's articles with its own newsletter footer, and "
                         "those of half the outlets with a cookie notice from one template "
                         "(the outlet's name differs), as scraped pages do")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    # Footers draw from their own stream, so a corpus without them is unchanged.
    frnd = random.Random(args.seed + 1_000_003)

    base = []
    with gzip.open(args.base, "rt", encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)["text"].strip()
            if len(t) > 300:
                base.append(t)
    rnd.shuffle(base)

    # Unigram word stream plus stock phrases for unrelated text.
    tokens = []
    grams = {}
    for t in base[:5000]:
        ws = t.split()
        tokens.extend(ws)
        for i in range(len(ws) - 4):
            g = " ".join(ws[i:i + 5])
            grams[g] = grams.get(g, 0) + 1
    for t in base[5000:]:
        tokens.extend(t.split())
    stock = [g for g, _ in sorted(grams.items(), key=lambda x: -x[1])[:300]]
    vocab = tokens
    nt = len(tokens)

    def markov(nwords):
        out = []
        while len(out) < nwords:
            if rnd.random() < 0.01:
                out.extend(rnd.choice(stock).split())
            else:
                out.append(tokens[int(rnd.random() * nt)])
        return out

    def paragraphs(words, size=60):
        return [" ".join(words[i:i + size]) for i in range(0, len(words), size)]

    bi = 0

    def wire_story():
        nonlocal bi
        paras = []
        while sum(len(p) for p in paras) < 3000:
            if bi < len(base):
                paras.extend(p.strip() for p in base[bi].split("\n\n") if p.strip())
                bi += 1
            else:
                paras.extend(paragraphs(markov(500)))
        return paras

    def edit(par, rate):
        out = []
        for w in par.split():
            r = rnd.random()
            if r < rate * 0.6:
                out.append(rnd.choice(vocab))
            elif r < rate:
                continue
            else:
                out.append(w)
        s = " ".join(out)
        if rnd.random() < 0.2:
            us, uk = rnd.choice(BRITISH)
            s = s.replace(us, uk)
        return s

    n_copies = int(args.n * args.copy_share)
    w = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    written = 0
    outlets = [f"outlet-{i:03d}" for i in range(args.outlets)]
    footer = {}
    if args.footers:
        for o in outlets:
            name = o.replace("outlet-", "The Daily ")
            own = " ".join(frnd.sample(vocab[:20000], 12))
            text = (f"Sign up for the {name} morning newsletter and get the day's top "
                    f"stories in your inbox every weekday. {own.capitalize()}. Follow "
                    f"{name} on social media and send your news tips to the newsroom.")
            if frnd.random() < 0.5:
                text += (f"\n\nAt {name}, we and our partners use information collected "
                         "through cookies and similar technologies to improve your "
                         "experience on our site, to analyse how it is used and to show you "
                         "personalised advertising. By clicking accept you agree to the use "
                         "of cookies as described in our cookie policy, which you can change "
                         "at any time in your privacy settings.")
            footer[o] = text
    story = 0
    copies = 0

    def emit(doc):
        nonlocal written
        if doc["outlet"] in footer:
            doc["text"] += "\n\n" + footer[doc["outlet"]]
        if written < args.n:
            w.write(json.dumps(doc, ensure_ascii=False) + "\n")
            written += 1

    unrelated_left = args.n - n_copies
    while written < args.n:
        # Interleave stories and unrelated articles so any prefix is a realistic mix.
        if copies < n_copies and (unrelated_left == 0 or rnd.random() < args.copy_share * 0.2):
            paras = wire_story()
            wire = rnd.choice(["AP", "Reuters", "AFP"])
            date = f"2025-03-{1 + story % 28:02d}"
            emit({"id": f"{wire}/{story}", "outlet": wire, "date": date,
                  "text": "\n\n".join(paras)})
            k = min(len(outlets), int(2 + rnd.paretovariate(1.3) * 2))
            for o in rnd.sample(outlets, k):
                lo = rnd.randrange(len(paras))
                n = max(1, int(len(paras) * rnd.uniform(0.33, 1.0)))
                take = paras[lo:lo + n] or paras[:n]
                rate = rnd.uniform(0.0, 0.15)
                text = [" ".join(markov(rnd.randint(20, 60)))]
                text += [edit(p, rate) for p in take]
                text.append(" ".join(markov(rnd.randint(10, 40))))
                emit({"id": f"{o}/{story}", "outlet": o, "date": date,
                      "text": "\n\n".join(text)})
                copies += 1
            story += 1
        else:
            o = rnd.choice(outlets)
            emit({"id": f"{o}/u{written}", "outlet": o,
                  "text": "\n\n".join(paragraphs(markov(rnd.randint(350, 650))))})
            unrelated_left = max(0, unrelated_left - 1)
    if w is not sys.stdout:
        w.close()
    print(f"{written} articles, {story} wire stories, {copies} copies", file=sys.stderr)


if __name__ == "__main__":
    main()
