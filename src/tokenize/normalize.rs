//! Word normalisation: what makes two differently written words the same word.
//!
//! Applied in this order to one word (never to the text, so offsets are untouched):
//! 1. lower-case; typographic apostrophes → `'`, quotes → `"`, dashes → `-`; invisible
//!    format characters (soft hyphen, zero-width space/joiners, BOM) dropped;
//! 2. letters separated by dots lose the dots (`u.s` → `us`), digit groups lose their
//!    separators (`1,000` → `1000`);
//! 3. number words up to twenty and the tens become digits (`three` → `3`), if enabled;
//! 4. British spellings become American ones (`emphasise` → `emphasize`, `centre` →
//!    `center`, `travelled` → `traveled`, `towards` → `toward`), if enabled: a rule for
//!    `-ise/-isation/-yse` with a list of words the rule must not touch, and word lists for
//!    `-our`, `-re`, doubled `l` and a few others.
//!
//! The stem ([`stem_into`]) removes a possessive, a plural and common verb endings; it is used
//! only to score near matches during alignment.

use crate::config::Normalization;

/// Normalise `word` into `out` (cleared first).
pub fn normalize_into(word: &str, norm: &Normalization, out: &mut String) {
    out.clear();
    for c in word.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '\u{00B4}' => {
                out.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => out.push('-'),
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    if out.contains('.')
        && out
            .split('.')
            .all(|p| p.len() <= 2 && p.chars().all(char::is_alphabetic))
    {
        out.retain(|c| c != '.');
    }
    if out.contains(',')
        && out
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        out.retain(|c| c != ',');
    }
    if norm.numbers {
        if let Some(d) = number_word(out) {
            out.clear();
            out.push_str(d);
            return;
        }
    }
    if norm.spelling {
        americanize(out);
    }
}

fn number_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "zero" => "0",
        "one" => "1",
        "two" => "2",
        "three" => "3",
        "four" => "4",
        "five" => "5",
        "six" => "6",
        "seven" => "7",
        "eight" => "8",
        "nine" => "9",
        "ten" => "10",
        "eleven" => "11",
        "twelve" => "12",
        "thirteen" => "13",
        "fourteen" => "14",
        "fifteen" => "15",
        "sixteen" => "16",
        "seventeen" => "17",
        "eighteen" => "18",
        "nineteen" => "19",
        "twenty" => "20",
        "thirty" => "30",
        "forty" => "40",
        "fifty" => "50",
        "sixty" => "60",
        "seventy" => "70",
        "eighty" => "80",
        "ninety" => "90",
        "hundred" => "100",
        _ => return None,
    })
}

/// Whole-word British → American replacements (and a few house-style variants).
const WORDS: &[(&str, &str)] = &[
    ("towards", "toward"),
    ("afterwards", "afterward"),
    ("backwards", "backward"),
    ("forwards", "forward"),
    ("upwards", "upward"),
    ("downwards", "downward"),
    ("amongst", "among"),
    ("whilst", "while"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license"),
    ("pretence", "pretense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("grey", "gray"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("cheque", "check"),
    ("cheques", "checks"),
    ("aluminium", "aluminum"),
    ("manoeuvre", "maneuver"),
    ("manoeuvres", "maneuvers"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("acknowledgement", "acknowledgment"),
    ("sceptical", "skeptical"),
    ("sceptic", "skeptic"),
    ("sceptics", "skeptics"),
    ("plough", "plow"),
    ("mould", "mold"),
    ("storey", "story"),
    ("storeys", "stories"),
    ("jewellery", "jewelry"),
    ("catalogue", "catalog"),
    ("analogue", "analog"),
    ("kerb", "curb"),
    ("pyjamas", "pajamas"),
    ("enrol", "enroll"),
    ("fulfil", "fulfill"),
    ("instalment", "installment"),
    ("cosy", "cozy"),
    ("draught", "draft"),
    ("gaol", "jail"),
    ("mum", "mom"),
];

/// Stems spelled `-our` in British English (`colour` → `color`, with any suffix).
const OUR: &[&str] = &[
    "armour",
    "behaviour",
    "candour",
    "clamour",
    "colour",
    "endeavour",
    "favour",
    "fervour",
    "flavour",
    "harbour",
    "honour",
    "humour",
    "labour",
    "neighbour",
    "odour",
    "parlour",
    "rancour",
    "rigour",
    "rumour",
    "saviour",
    "savour",
    "splendour",
    "tumour",
    "valour",
    "vapour",
    "vigour",
];

/// Words spelled `-re` in British English (`centre` → `center`), with plural/verb forms.
const RE: &[&str] = &[
    "calibre",
    "centre",
    "fibre",
    "litre",
    "lustre",
    "meagre",
    "metre",
    "sabre",
    "sceptre",
    "sombre",
    "spectre",
    "theatre",
    "kilometre",
    "millimetre",
    "centimetre",
];

/// Verbs that double a final `l` in British English (`travelled` → `traveled`).
const LL: &[&str] = &[
    "cancel", "channel", "counsel", "dial", "duel", "equal", "fuel", "funnel", "label", "level",
    "marshal", "model", "panel", "pedal", "quarrel", "rival", "shovel", "signal", "total",
    "travel", "tunnel", "unravel", "label",
];

/// Words ending in `-ise` that are not `-ize` verbs in American English.
const ISE_KEEP: &[&str] = &[
    "advertise",
    "advise",
    "apprise",
    "arise",
    "chastise",
    "circumcise",
    "comprise",
    "compromise",
    "concise",
    "demise",
    "despise",
    "devise",
    "disguise",
    "enfranchise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "merchandise",
    "noise",
    "otherwise",
    "paradise",
    "poise",
    "praise",
    "precise",
    "premise",
    "promise",
    "raise",
    "revise",
    "rise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    "wise",
    "cruise",
    "bruise",
    "likewise",
    "clockwise",
    "anticlockwise",
    "counterclockwise",
    "mortise",
    "reprise",
    "valise",
    "chemise",
    "guise",
    "braise",
    "appraise",
    "upraise",
    "streetwise",
    "unwise",
    "advertise",
    "merchandise",
    "disguise",
    "misadvise",
];

fn americanize(w: &mut String) {
    if !w.is_ascii() || w.len() < 4 {
        return;
    }
    if let Some((_, us)) = WORDS.iter().find(|(uk, _)| *uk == w.as_str()) {
        *w = (*us).to_string();
        return;
    }
    // -our words with any suffix: colour, colours, coloured, favourite, honourable...
    for base in OUR {
        if let Some(rest) = w.strip_prefix(base) {
            if rest.is_empty()
                || [
                    "s", "ed", "ing", "ite", "ites", "able", "ably", "ful", "ed", "er", "ers",
                    "hood", "ist",
                ]
                .contains(&rest)
            {
                let mut s = base[..base.len() - 2].to_string();
                s.push('r');
                s.push_str(rest);
                *w = s;
                return;
            }
        }
    }
    for base in RE {
        if let Some(rest) = w.strip_prefix(base) {
            if rest.is_empty() || rest == "s" || rest == "d" {
                let mut s = base[..base.len() - 2].to_string();
                s.push_str("er");
                s.push_str(if rest == "d" { "ed" } else { rest });
                *w = s;
                return;
            }
        }
    }
    for base in LL {
        if let Some(rest) = w.strip_prefix(base) {
            if let Some(suffix) = rest.strip_prefix('l') {
                if ["ed", "ing", "er", "ers"].contains(&suffix) {
                    *w = format!("{base}{suffix}");
                    return;
                }
            }
        }
    }
    // -ise / -isation / -yse rule.
    for (uk, us) in [
        ("isations", "izations"),
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("iser", "izer"),
        ("isers", "izers"),
        ("ise", "ize"),
        ("ysing", "yzing"),
        ("ysed", "yzed"),
        ("yses", "yzes"),
        ("yse", "yze"),
    ] {
        if let Some(stem) = w.strip_suffix(uk) {
            if stem.len() < 3 {
                return;
            }
            let base_ise = format!("{stem}{}", if uk.starts_with('y') { "yse" } else { "ise" });
            if ISE_KEEP.contains(&base_ise.as_str()) {
                return;
            }
            if uk.starts_with('y')
                && !["analyse", "paralyse", "catalyse", "dialyse", "breathalyse"]
                    .contains(&base_ise.as_str())
            {
                return;
            }
            let new = format!("{stem}{us}");
            *w = new;
            return;
        }
    }
}

/// Remove a possessive, plural and common verb suffix: only for near-match scoring.
pub fn stem_into(word: &str, out: &mut String) {
    out.clear();
    let mut w = word;
    for p in ["'s", "'"] {
        if let Some(s) = w.strip_suffix(p) {
            w = s;
            break;
        }
    }
    let n = w.len();
    if n > 4 && w.is_ascii() {
        if let Some(s) = w.strip_suffix("ies") {
            out.push_str(s);
            out.push('y');
            return;
        }
        for suf in ["ing", "ed", "es", "s", "ly"] {
            if let Some(s) = w.strip_suffix(suf) {
                if suf == "s" && (s.ends_with('s') || s.ends_with('u') || s.ends_with('i')) {
                    continue;
                }
                if s.len() >= 3 {
                    out.push_str(s);
                    // "restored" → "restor", "restoring" → "restor", "restore" → "restor"
                    return;
                }
            }
        }
        if let Some(s) = w.strip_suffix('e') {
            if s.len() >= 3 {
                out.push_str(s);
                return;
            }
        }
    }
    out.push_str(w);
}

/// English function words: anchors made only of these are not evidence of reuse.
pub fn is_stopword(w: &str) -> bool {
    STOP.binary_search(&w).is_ok()
}

const STOP: &[&str] = &[
    "'s", "-", "1", "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "here", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "last", "like", "may", "me", "more",
    "most", "mr", "ms", "my", "new", "no", "not", "now", "of", "on", "one", "only", "or", "other",
    "our", "out", "over", "said", "says", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "told", "two",
    "under", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "will", "with", "would", "year", "years", "you", "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn n(w: &str) -> String {
        let mut out = String::new();
        normalize_into(
            w,
            &Normalization {
                case_and_typography: true,
                spelling: true,
                numbers: true,
            },
            &mut out,
        );
        out
    }

    #[test]
    fn stopwords_are_sorted() {
        assert!(
            STOP.windows(2).all(|w| w[0] < w[1]),
            "STOP must be sorted for binary search"
        );
    }

    #[test]
    fn british_to_american() {
        for (uk, us) in [
            ("emphasised", "emphasized"),
            ("Organisation", "organization"),
            ("analyse", "analyze"),
            ("colours", "colors"),
            ("favourite", "favorite"),
            ("centre", "center"),
            ("travelled", "traveled"),
            ("neighbouring", "neighboring"),
            ("Towards", "toward"),
            ("defence", "defense"),
        ] {
            assert_eq!(n(uk), us, "{uk}");
        }
    }

    #[test]
    fn words_the_rules_must_not_touch() {
        for w in [
            "rise",
            "promise",
            "exercise",
            "enterprise",
            "hour",
            "your",
            "tour",
            "noise",
            "otherwise",
            "analysis",
            "premises",
            "compromised",
            "surprised",
            "cruises",
        ] {
            assert_eq!(n(w), w, "{w}");
        }
    }

    #[test]
    fn dots_commas_numbers() {
        assert_eq!(n("U.S"), "us");
        assert_eq!(n("1,000"), "1000");
        assert_eq!(n("Three"), "3");
        assert_eq!(n("3.5"), "3.5");
        assert_eq!(n("Kyiv’s"), "kyiv's");
    }

    #[test]
    fn stems() {
        let s = |w: &str| {
            let mut o = String::new();
            stem_into(w, &mut o);
            o
        };
        assert_eq!(s("restored"), s("restoring"));
        assert_eq!(s("restore"), s("restored"));
        assert_eq!(s("embassies"), "embassy");
        assert_eq!(s("talks"), s("talk"));
        assert_eq!(s("russia's"), "russia");
        assert_eq!(s("crisis"), "crisis");
    }
}
