//! Word-level edits of copied sentences: synonyms, random words, deletions, insertions,
//! British↔American spelling, number words, and moved attributions ("Smith said" ↔ "said
//! Smith"), each at the generator's edit rate.

use super::Rng;

const SYNONYMS: &[(&str, &str)] = &[
    ("said", "stated"),
    ("rose", "increased"),
    ("fell", "dropped"),
    ("company", "firm"),
    ("buy", "purchase"),
    ("big", "large"),
    ("help", "assist"),
    ("start", "begin"),
    ("show", "reveal"),
    ("expected", "forecast"),
    ("about", "around"),
    ("however", "but"),
    ("sales", "revenue"),
    ("plan", "proposal"),
    ("talks", "negotiations"),
    ("officials", "authorities"),
    ("government", "administration"),
    ("agreed", "consented"),
    ("told", "informed"),
    ("pct", "percent"),
    ("mln", "million"),
    ("billion", "bln"),
    ("quickly", "rapidly"),
    ("rise", "increase"),
    ("cut", "reduce"),
];

const SPELLINGS: &[(&str, &str)] = &[
    ("colour", "color"),
    ("favour", "favor"),
    ("labour", "labor"),
    ("centre", "center"),
    ("defence", "defense"),
    ("programme", "program"),
    ("organisation", "organization"),
    ("analyse", "analyze"),
    ("realise", "realize"),
    ("recognise", "recognize"),
    ("behaviour", "behavior"),
    ("honour", "honor"),
    ("licence", "license"),
    ("theatre", "theater"),
    ("privatisation", "privatization"),
    ("authorised", "authorized"),
    ("criticised", "criticized"),
    ("emphasised", "emphasized"),
    ("neighbour", "neighbor"),
    ("travelled", "traveled"),
];

const NUMBERS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

const PRONOUNS: &[&str] = &["He", "She", "It", "They", "We", "I", "You"];

pub(super) const FOOTERS: &[&str] = &[
    "We use cookies to personalise content and ads and to analyse our traffic. By continuing to browse this site you agree to our use of cookies.",
    "Subscribe today for unlimited digital access to award-winning journalism, delivered to your inbox every morning before breakfast.",
    "Copyright reserved. This material may not be published, broadcast, rewritten or redistributed without prior written permission of the publisher.",
    "Did you find this story useful? Support independent local reporting by becoming a member for less than the price of a coffee each week.",
    "Sign up for our free evening briefing newsletter and get the headlines that matter straight to your phone at six o'clock.",
    "Readers with information about this story are invited to contact our newsroom in confidence through the secure tip line on our website.",
    "Comments on this article have been closed. Please read our community guidelines before joining conversations elsewhere on the site.",
    "Download our award-winning app from your store and never miss breaking alerts, live blogs and exclusive video from our correspondents.",
    "This report was corrected after publication to fix an error in the spelling of a name; our corrections policy is available online.",
    "Follow us on social media for live coverage, photo galleries and behind-the-scenes glimpses of how the paper is made each night.",
    "Printed editions are available from newsagents across the region, and back issues can be ordered through our archive service.",
    "Advertising enquiries should be directed to the commercial department, which is open on weekdays from nine in the morning.",
];

/// A token's leading punctuation, core (first to last alphanumeric character) and trailing
/// punctuation.
pub(super) fn split_token(t: &str) -> (&str, &str, &str) {
    let start = t.find(|c: char| c.is_alphanumeric()).unwrap_or(t.len());
    let end = t.rfind(|c: char| c.is_alphanumeric()).map_or(start, |i| {
        i + t[i..].chars().next().map_or(1, char::len_utf8)
    });
    let end = end.max(start);
    (&t[..start], &t[start..end], &t[end..])
}

fn match_case(model: &str, word: &str) -> String {
    if model.chars().next().is_some_and(char::is_uppercase) {
        let mut c = word.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        word.to_string()
    }
}

fn is_name(core: &str) -> bool {
    core.chars().next().is_some_and(char::is_uppercase)
        && core.chars().all(char::is_alphabetic)
        && !PRONOUNS.contains(&core)
}

/// The other word of the pair `w` belongs to in a two-way table.
fn lookup(table: &[(&'static str, &'static str)], w: &str) -> Option<&'static str> {
    table.iter().find_map(|&(x, y)| {
        if w == x {
            Some(y)
        } else if w == y {
            Some(x)
        } else {
            None
        }
    })
}

/// Apply word-level edits at `rate` to one sentence.
pub(super) fn edit_sentence(s: &str, rate: f64, vocab: &[String], rng: &mut Rng) -> String {
    if rate <= 0.0 {
        return s.to_string();
    }
    let mut toks: Vec<String> = s.split(' ').map(str::to_string).collect();
    let mut touched = vec![false; toks.len()];
    // "Smith said." <-> "said Smith."
    let attribution = (rate * 3.0).min(1.0);
    let mut i = 1;
    while i < toks.len() {
        let (prev, cur) = (toks[i - 1].clone(), toks[i].clone());
        let (l0, c0, t0) = split_token(&prev);
        let (l1, c1, t1) = split_token(&cur);
        let before_ok = i < 2 || !is_name(split_token(&toks[i - 2]).1);
        if l0.is_empty() && t0.is_empty() && l1.is_empty() && before_ok {
            if is_name(c0) && c1 == "said" && rng.chance(attribution) {
                // "Smith said," -> "said Smith,"
                toks[i] = format!("{c0}{t1}");
                toks[i - 1] = "said".into();
                touched[i - 1] = true;
                touched[i] = true;
                i += 2;
                continue;
            }
            if c0 == "said" && is_name(c1) && rng.chance(attribution) {
                toks[i - 1] = c1.to_string();
                toks[i] = format!("said{t1}");
                touched[i - 1] = true;
                touched[i] = true;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    let mut out: Vec<String> = Vec::with_capacity(toks.len() + 4);
    let mut remaining = toks.len();
    for (tok, done) in toks.into_iter().zip(touched) {
        if done || !rng.chance(rate) {
            out.push(tok);
            continue;
        }
        let (lead, core, trail) = split_token(&tok);
        if core.is_empty() {
            out.push(tok);
            continue;
        }
        let lower = core.to_lowercase();
        let swap = |w: &str| format!("{lead}{}{trail}", match_case(core, w));
        if let Ok(n) = lower.parse::<usize>() {
            if n < NUMBERS.len() && core.len() <= 2 {
                out.push(swap(NUMBERS[n]));
                continue;
            }
        }
        if let Some(n) = NUMBERS.iter().position(|w| *w == lower) {
            out.push(format!("{lead}{n}{trail}"));
            continue;
        }
        if let Some(w) = lookup(SPELLINGS, &lower).or_else(|| lookup(SYNONYMS, &lower)) {
            out.push(swap(w));
            continue;
        }
        let plain = lead.is_empty() && trail.is_empty();
        match rng.below(3) {
            0 if plain && remaining > 3 => remaining -= 1, // deletion
            1 if trail.is_empty() => {
                out.push(tok.clone());
                out.push(vocab[rng.below(vocab.len())].clone());
            }
            _ => out.push(swap(&vocab[rng.below(vocab.len())])),
        }
    }
    out.join(" ")
}
