#!/usr/bin/env python3
"""Build samples/riyadh-2025-02-18.truth.json from hand-chosen snippets.

The passages below were chosen by reading the five sample articles, independently of
wirecopy (neither the tool nor samples/*.expected.json was consulted).  Each span is given
as (first words, last words) copied from the file; the script turns them into offsets in
Unicode scalar values (Python str indices, 0-based, half-open) into the full file text as
on disk (read with encoding='utf-8', newline=''), including any leading ` date …` line.

Checks: every start snippet occurs exactly once in its document, every end snippet occurs
after the start, spans are in bounds, and `text[start:end]` starts/ends with the snippets.

Usage (from the repository root):  python3 samples/truth-tools/make_truth.py [--show]
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "riyadh-2025-02-18"
OUT = ROOT / "riyadh-2025-02-18.truth.json"

D0 = "000_fafa6a3430f658bd.txt"
D1 = "001_0315c482c362d048.txt"
D2 = "002_d7bf98442fb826d6.txt"
D3 = "003_ca3ab9a7ae8844ac.txt"
D4 = "004_689d69b119cd025c.txt"

# (doc a, (start, end) in a, doc b, (start, end) in b, kind, note)
PASSAGES = [
    # ---- 000 / 001 -------------------------------------------------------------------
    (D0, ("Russia and the United States agreed on Tuesday to begin", "diplomatic and economic ties."),
     D1, ("Russia and the US agreed on Tuesday to start", "improving their diplomatic and economic ties."),
     "edited", "AP lede: 'begin'/'start', 'toward'/'towards', 'the conflict'/'the war in Ukraine', 'their' inserted"),
    (D0, ("Rubio outlined key goals", "exploring closer economic cooperation."),
     D1, ("Rubio said the two sides agreed broadly to pursue three goals", "closer relations and economic cooperation."),
     "edited", "Rubio's three goals (AP): embassy staffing, high-level team to support Ukraine peace talks, economic cooperation"),
    (D0, ("The meeting is seen as laying the groundwork", "could take place in the coming weeks."),
     D1, ("Tuesday’s meeting was meant to pave the way", "could be arranged in the coming weeks."),
     "edited", "AP: summit between Trump and Putin, no date set, Ushakov 'unlikely' next week, Waltz coming weeks"),
    # ---- 000 / 003 -------------------------------------------------------------------
    (D0, ("agreed to take account of each other’s interests", "develop bilateral relations"),
     D3, ("agreed to take into account each other's interests", "develop bilateral relations"),
     "edited", "Ushakov's words: quoted in 000, reported speech in 003 ('take account of'/'take into account')"),
    # ---- 000 / 004 -------------------------------------------------------------------
    (D0, ("Russia and the United States agreed on Tuesday to begin", "diplomatic and economic ties."),
     D4, ("Russia and the United States agreed Tuesday to begin", "improving diplomatic and economic ties"),
     "edited", "AP lede; 004 continues with its own attribution clause, not included"),
    (D0, ("In an interview with The Associated Press, Rubio outlined", "exploring closer economic cooperation."),
     D4, ("U.S. Secretary of State Marco Rubio told The Associated Press", "closer relations and economic cooperation."),
     "edited", "Rubio's three goals as told to AP ('in an interview with'/'told', 'creating'/'forming')"),
    (D0, ("European allies and Ukrainian officials have voiced concerns", "about being sidelined"),
     D4, ("European allies have also expressed concerns", "about being sidelined."),
     "edited", "short AP sentence, 'voiced'/'expressed'; borderline (one clause)"),
    (D0, ("The meeting is seen as laying the groundwork", "could take place in the coming weeks."),
     D4, ("Tuesday’s meeting was intended to pave the way", "could be arranged in the coming weeks."),
     "edited", "AP: summit between Trump and Putin, no date set, Ushakov 'unlikely' next week, Waltz coming weeks"),
    # ---- 001 / 002 -------------------------------------------------------------------
    (D1, ("I have reason to believe that the American side", "better understand our position”"),
     D2, ("reason to believe that the American side has begun", "better understand our position.”"),
     "quote", "Lavrov: 'has started'/'has begun to better understand our position'"),
    # ---- 001 / 004 (the AP wire story) -------------------------------------------------
    (D1, ("France calling an emergency meeting", "and the UK on Monday."),
     D4, ("France convened an emergency meeting", "and the United Kingdom on Monday"),
     "edited", "out of order: 001's second paragraph, near the end of 004 ('calling'/'convened', 'UK'/'United Kingdom')"),
    (D1, ("Russia and the US agreed on Tuesday to start", "improving their diplomatic and economic ties."),
     D4, ("Russia and the United States agreed Tuesday to begin", "improving diplomatic and economic ties"),
     "edited", "AP lede, embedded in 001 as reported speech of Rubio"),
    (D1, ("Rubio, US National Security Adviser Mike Waltz", "Putin aide Yuri Ushakov in Riyadh."),
     D4, ("Rubio was joined at the table by", "adviser to Russian President Vladimir Putin."),
     "edited", "participants sentence, heavily restructured ('was joined at the table by' vs 'met with'); out of order; borderline"),
    (D1, ("Rubio said the two sides agreed broadly to pursue three goals", "but also heard each other.”"),
     D4, ("U.S. Secretary of State Marco Rubio told The Associated Press", "heard each other,” he claimed."),
     "edited", "three goals; 'stressed'/'emphasised' start of a conversation (004 inserts a clause); Lavrov 'very useful' and 'We not only listened' quotes"),
    (D1, ("The meeting took place as a beleaguered Ukraine", "trip to the kingdom scheduled for Wednesday."),
     D4, ("No Ukrainian officials attended the meeting", "which was scheduled for Wednesday."),
     "edited", "'slowly'/'gradually', 'against'/'to more numerous', Zelensky/Zelenskyy, 'since Kyiv didn't take part'/'because Kyiv did not participate'"),
    (D1, ("Ties between Russia and the US had fallen", "but tensions remained high."),
     D4, ("Ties between Russia and the United States have fallen", "but tensions remained high."),
     "edited", "six paragraphs in order: 'rift'/'schism', 'raft'/'slew', 'full-scale'/'full-fledged', Rubio 'unlock the door' quote, summit, Lavrov and Witkoff quotes, Blinken"),
    # ---- 002 / 003 -------------------------------------------------------------------
    (D2, ("create a high-level team to work on a path", "ending the war in Ukraine"),
     D3, ("appoint respective high-level teams to begin working", "ending the conflict in Ukraine"),
     "edited", "State Department statement: quoted in 003, paraphrased in 002"),
    # ---- 002 / 004 -------------------------------------------------------------------
    (D2, ("reason to believe that the American side has begun", "better understand our position.”"),
     D4, ("I have reason to believe that the Americans have begun", "better understand our position,”"),
     "quote", "Lavrov: 'the American side has'/'the Americans have begun'"),
]

DESCRIPTION = (
    "Hand-labelled ground truth for samples/riyadh-2025-02-18, written by reading all five "
    "articles, independently of wirecopy (neither its output nor samples/*.expected.json was "
    "consulted). Every one of the 10 document pairs was compared. Labelled: reused sentences "
    "or paragraphs evidently derived from the same source wording (mostly the AP story that "
    "001 and 004 carry, and that 000 draws on), possibly reworded, and shared quotations of "
    "about 6-8 words or more. Not labelled: shared names, titles and stock phrases; the same "
    "fact told in different words; quotations of under 6 words ('very useful', 'positive, "
    "upbeat, constructive'); the cookie notice at the end of 001 (it occurs once). A run of "
    "consecutive sentences that correspond in order on both sides is one passage; passages "
    "break where either side inserts a sentence or more of its own or the order changes. "
    "Spans run from the first to the last word of the shared material (leading connectives "
    "such as 'And', 'But', 'It led to' left out; final punctuation and closing quotation "
    "marks may be included). Offsets are Unicode scalar values (Python str indices), 0-based, "
    "half-open, into the whole file as on disk, including the leading ' date 2025-02-19 ' "
    "line of 003 and 004 and the leading newline of 002. Kinds: verbatim (identical apart "
    "from case/punctuation), edited (reworded), quote (the same speaker's words inside "
    "quotation marks on both sides). Produced and checked by samples/truth-tools/make_truth.py."
)


def load(doc):
    return (CORPUS / doc).open(encoding="utf-8", newline="").read()


def span(text, doc, first, last):
    assert text.count(first) == 1, ("start snippet missing or ambiguous", doc, first)
    start = text.index(first)
    end = text.index(last, start) + len(last)
    assert 0 <= start < end <= len(text), (doc, start, end)
    s = text[start:end]
    assert s.startswith(first) and s.endswith(last)
    return start, end


def main():
    show = "--show" in sys.argv
    texts = {d: load(d) for d in (D0, D1, D2, D3, D4)}
    out = []
    for da, (fa, la), db, (fb, lb), kind, note in PASSAGES:
        assert da < db and kind in ("verbatim", "edited", "quote", "boilerplate")
        sa, ea = span(texts[da], da, fa, la)
        sb, eb = span(texts[db], db, fb, lb)
        out.append({"a": {"doc": da, "start": sa, "end": ea},
                    "b": {"doc": db, "start": sb, "end": eb},
                    "kind": kind, "note": note})
        if show:
            print(f"--- {da}[{sa}:{ea}] ~ {db}[{sb}:{eb}] {kind}")
            print("A:", texts[da][sa:ea])
            print("B:", texts[db][sb:eb])
    truth = {"truth_version": 1, "description": DESCRIPTION, "passages": out}
    OUT.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # re-read and verify what was written
    back = json.loads(OUT.read_text(encoding="utf-8"))
    for p, (da, (fa, la), db, (fb, lb), *_r) in zip(back["passages"], PASSAGES):
        for side, first, last in (("a", fa, la), ("b", fb, lb)):
            t = load(p[side]["doc"])
            s = t[p[side]["start"]:p[side]["end"]]
            assert s.startswith(first) and s.endswith(last), (p, side)
    print(f"wrote {OUT} with {len(out)} passages", file=sys.stderr)


if __name__ == "__main__":
    main()
