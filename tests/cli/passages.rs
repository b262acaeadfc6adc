//! Kinds, sources, clusters and credit, on small hand-made corpora.

use crate::support::Fixture;
use serde_json::Value;

const WIRE: &str = "The central bank raised its benchmark interest rate by half a percentage point on Thursday, the largest increase in more than two decades, as policymakers struggled to contain inflation that has climbed to its highest level since the early nineteen eighties.";
const QUOTE: &str = "“We will do whatever it takes to bring prices back under control, and we will not stop until the job is done,”";

fn report(f: &Fixture, args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let run = f.run(&all);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn passages(r: &Value) -> &Vec<Value> {
    r["passages"].as_array().unwrap()
}

fn edited(text: &str) -> String {
    text.replace("raised", "lifted")
        .replace("struggled", "scrambled")
        .replace("largest", "biggest")
}

#[test]
fn wire_copy_run_by_three_outlets_is_one_cluster_sourced_to_the_wire() {
    let f = Fixture::new();
    f.write("c/ap/story.txt", WIRE);
    f.write(
        "c/daily/a.txt",
        format!(
            "WASHINGTON (AP) — {}\nOur own analysis follows here today.",
            edited(WIRE)
        ),
    );
    f.write(
        "c/herald/b.txt",
        format!("Markets fell sharply. {}", edited(WIRE)),
    );
    f.write(
        "c/times/c.txt",
        format!("{} The Associated Press contributed to this report.", WIRE),
    );
    let r = report(&f, &["c", "--wire", "ap"]);
    let ps = passages(&r);
    // Six pairs share the text; all are one cluster whose source is the wire story.
    assert_eq!(ps.len(), 6);
    let clusters = r["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["source"], "ap/story.txt");
    for p in ps.iter().filter(|p| p["a"]["doc"] == "ap/story.txt") {
        assert_eq!(p["direction"], "a_to_b");
    }
    // Each outlet's reuse is attributed to ap only, not to the other outlets.
    for o in r["outlets"].as_array().unwrap() {
        let sources: Vec<&str> = o["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["outlet"].as_str().unwrap())
            .collect();
        if o["outlet"] == "ap" {
            assert!(sources.is_empty(), "the wire reuses nothing: {sources:?}");
            assert_eq!(o["reused_chars"], 0);
        } else {
            assert_eq!(sources, ["ap"], "{}", o["outlet"]);
            assert!(o["coverage"].as_f64().unwrap() > 0.6);
            assert_eq!(o["source_stories"], 1);
        }
    }
    // Credit: daily says (AP), times says Associated Press, herald says nothing.
    let credit = |id: &str| {
        r["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["credit"]
            .clone()
    };
    assert_eq!(credit("daily/a.txt")["credited"], true);
    assert_eq!(credit("times/c.txt")["credited"], true);
    assert_eq!(credit("herald/b.txt")["credited"], false);
    assert_eq!(credit("herald/b.txt")["uncredited"][0], "ap");
    assert!(credit("ap/story.txt").is_null());
    // Verbatim and edited.
    let kind = |doc: &str| {
        ps.iter()
            .find(|p| p["a"]["doc"] == "ap/story.txt" && p["b"]["doc"] == doc)
            .unwrap()["kind"]
            .clone()
    };
    assert_eq!(kind("times/c.txt"), "verbatim");
    assert_eq!(kind("daily/a.txt"), "edited");
}

#[test]
fn edits_are_shown_in_json_and_text() {
    let f = Fixture::new();
    f.write("c/ap/story.txt", WIRE);
    f.write("c/daily/a.txt", edited(WIRE));
    let r = report(&f, &["c"]);
    let p = &passages(&r)[0];
    let replaced: Vec<(&str, &str)> = p["edits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["op"] == "replace")
        .map(|e| (e["a_text"].as_str().unwrap(), e["b_text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        replaced,
        [
            ("raised", "lifted"),
            ("largest", "biggest"),
            ("struggled", "scrambled")
        ]
    );
    let text = f.run(&["report", "c"]).stdout;
    assert!(text.contains("[-raised-]{+lifted+}"), "{text}");
}

#[test]
fn the_earlier_date_is_the_source() {
    let f = Fixture::new();
    f.write("c/late/x.txt", format!("date 2024-05-02 {}", edited(WIRE)));
    f.write("c/early/y.txt", format!("date 2024-05-01 {WIRE}"));
    let r = report(&f, &["c"]);
    let p = &passages(&r)[0];
    assert_eq!(p["direction"], "a_to_b");
    assert_eq!(p["a"]["doc"], "early/y.txt");
    assert_eq!(r["clusters"][0]["source"], "early/y.txt");
}

#[test]
fn shared_quotation_is_a_quote_not_copying() {
    let f = Fixture::new();
    f.write("c/one/a.txt", format!("The governor spoke to reporters in the capital after the meeting. {QUOTE} she said, before leaving for the airport."));
    f.write("c/two/b.txt", format!("Asked about the outlook at a conference for bankers in Frankfurt, the governor was blunt: {QUOTE} according to a transcript."));
    let r = report(&f, &["c"]);
    let ps = passages(&r);
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0]["kind"], "quote");
    assert!(r["outlets"][0]["by_kind"]["quote"].as_u64().unwrap() > 0);
}

#[test]
fn repeated_footer_is_boilerplate_and_not_counted() {
    let f = Fixture::new();
    let footer = "Copyright Daily Planet Media Group. All rights reserved. Sign up for our morning newsletter to get the best stories of the day delivered straight to your inbox every morning.";
    let stories = [
        "The city council approved a new budget for road repairs on Monday after a long debate.",
        "A local bakery won a national award for its sourdough bread, the owners said on Friday.",
        "Schools will reopen next week after the storm damaged several buildings in the north.",
    ];
    for (i, s) in stories.iter().enumerate() {
        f.write(&format!("c/planet/{i}.txt"), format!("{s}\n{footer}"));
    }
    f.write(
        "c/gazette/z.txt",
        format!("The river flooded parts of the old town again this spring.\n{footer}"),
    );
    let r = report(&f, &["c"]);
    // The footer is one group, listed once with its four occurrences; the pairs that
    // share nothing else are not aligned, so no passage repeats it pair by pair.
    assert!(passages(&r).is_empty(), "{:?}", passages(&r));
    assert_eq!(r["summary"]["aligned_pairs"], 0);
    assert!(r["summary"]["boilerplate_pairs"].as_u64().unwrap() >= 3);
    let groups = r["boilerplate"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(g["documents"], 4);
    assert_eq!(g["text"], footer);
    let outlets: Vec<(&str, usize)> = g["outlets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["outlet"].as_str().unwrap(),
                o["occurrences"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(outlets, [("gazette", 1), ("planet", 3)]);
    // Every occurrence slices back to the footer, in characters of the document's text.
    for o in g["outlets"].as_array().unwrap() {
        for occ in o["occurrences"].as_array().unwrap() {
            let doc = occ["doc"].as_str().unwrap();
            let text = std::fs::read_to_string(f.path(&format!("c/{doc}"))).unwrap();
            let (a, b) = (
                occ["start"].as_u64().unwrap() as usize,
                occ["end"].as_u64().unwrap() as usize,
            );
            let got: String = text.chars().skip(a).take(b - a).collect();
            assert_eq!(got, footer, "{doc}");
        }
    }
    for d in r["documents"].as_array().unwrap() {
        assert_eq!(d["reused_chars"], 0, "boilerplate is not reuse");
        assert_eq!(
            d["by_kind"]["boilerplate"].as_u64().unwrap() as usize,
            footer.chars().count(),
            "{}",
            d["id"]
        );
    }
    let text = f.run(&["report", "c"]).stdout;
    assert!(text.contains("BOILERPLATE"), "{text}");
    assert!(text.contains("Copyright Daily Planet"), "{text}");
    assert_eq!(text.matches("Copyright Daily Planet").count(), 1, "{text}");
}

#[test]
fn user_boilerplate_phrases() {
    let f = Fixture::new();
    let phrase = "This article was produced with the support of the regional journalism fund and checked by our editors";
    f.write(
        "c/one/a.txt",
        format!("Prices of wheat rose again. {phrase}."),
    );
    f.write(
        "c/two/b.txt",
        format!("The mayor resigned on Tuesday. {phrase}."),
    );
    let r = report(&f, &["c"]);
    assert_ne!(
        passages(&r)[0]["kind"],
        "boilerplate",
        "not boilerplate without the list"
    );
    f.write("phrases.txt", format!("# funders\n{phrase}\n"));
    let r = report(&f, &["c", "--boilerplate", "phrases.txt"]);
    assert!(passages(&r).is_empty(), "{:?}", passages(&r));
    let g = &r["boilerplate"][0];
    assert_eq!(
        (g["rule"].as_str(), g["documents"].as_u64()),
        (Some("phrase"), Some(2))
    );
    assert_eq!(g["text"], format!("{phrase}."));
    assert_eq!(r["settings"]["boilerplate_phrases"][0], phrase);
}

#[test]
fn names_and_stock_phrases_are_not_passages() {
    let f = Fixture::new();
    f.write("c/one/a.txt", "Officials said US Secretary of State Marco Rubio and Russian Foreign Minister Sergei Lavrov would meet soon to discuss grain.");
    f.write("c/two/b.txt", "A photograph showed US Secretary of State Marco Rubio and Russian Foreign Minister Sergei Lavrov shaking hands at the palace.");
    let r = report(&f, &["c"]);
    assert!(passages(&r).is_empty(), "{:?}", passages(&r));
}
