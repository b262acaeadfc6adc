//! `--format html` in a real browser: headless Chromium loads the report of the samples,
//! runs its script, and the test reads the DOM it dumps.
//!
//! Needs Debian's `chromium` (or `$WIRECOPY_CHROMIUM`). `.ci/run` installs it; elsewhere,
//! without a browser the browser tests print how to install one and pass, unless `CI` is
//! set, where they fail. `WIRECOPY_UPDATE_SCREENSHOT=1` also writes the screenshot shown in
//! the README to `docs/report-samples.png`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{samples, Fixture};

const INSTALL: &str = "install it with `apt-get install -y chromium` (Debian/Ubuntu) or point \
                       WIRECOPY_CHROMIUM at a Chromium or Chrome binary";

/// The browser, or `None` (with a message) when there is none and this is not CI.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WIRECOPY_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    assert!(
        !ci,
        "no Chromium found for the HTML browser test: {INSTALL}"
    );
    eprintln!("SKIPPED: no Chromium found for the HTML browser test; {INSTALL}");
    None
}

/// Run headless Chromium on `url` with `extra` arguments; returns stdout. A fresh profile,
/// no network services, killed (with its process group) after 90 s.
fn run_chromium(browser: &Path, url: &str, extra: &[&str]) -> String {
    use std::os::unix::process::CommandExt;
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .process_group(0);
    let child = cmd.spawn().expect("start chromium");
    let pid = child.id();
    let start = Instant::now();
    let waiter = std::thread::spawn(move || child.wait_with_output());
    while !waiter.is_finished() {
        if start.elapsed() > Duration::from_secs(90) {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = waiter.join().unwrap().expect("chromium ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {stderr}");
    for line in stderr.lines() {
        assert!(
            !(line.contains("CONSOLE") && (line.contains("Uncaught") || line.contains("Refused"))),
            "console error: {line}"
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The value of attribute `name` on the `<html>` element of a dumped DOM.
fn html_attr<'d>(dom: &'d str, name: &str) -> Option<&'d str> {
    let tag = &dom[dom.find("<html")?..];
    let tag = &tag[..tag.find('>')?];
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn assert_page_ran(dom: &str) {
    assert_eq!(
        html_attr(dom, "data-ready"),
        Some("1"),
        "the script did not finish"
    );
    assert_eq!(html_attr(dom, "data-errors"), Some(""), "script errors");
}

/// The first passage with edits, from the JSON report.
fn edited_passage(f: &Fixture, input: &str) -> String {
    let run = f.run(&["report", input, "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "edited")
        .expect("an edited passage")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn html_report_of_the_samples_renders_in_chromium() {
    let Some(browser) = chromium() else { return };
    let f = Fixture::new();
    // A relative path, as a user would type it: it titles the page in the screenshot.
    std::os::unix::fs::symlink(samples(), f.path("riyadh-2025-02-18")).unwrap();
    let s = Path::new("riyadh-2025-02-18");
    let run = f.run(&[
        "report",
        s.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        "r.html",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = f.path("r.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // Nothing to fetch, and a policy that would block (and report) any fetch.
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    for needle in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "url(http",
        "<link",
        "<img",
        "@import",
    ] {
        assert!(!html.contains(needle), "the page refers to {needle}");
    }

    // The list, rendered by the script.
    let dom = run_chromium(&browser, &file_url(&page), &["--dump-dom"]);
    assert_page_ran(&dom);
    assert_eq!(
        dom.matches("<li class=\"passage\"").count(),
        19,
        "19 reuse passages"
    );
    assert!(dom.contains("class=\"badge k-edited\""));
    assert!(dom.contains("class=\"heat"), "the matrix");
    assert!(dom.contains("<div id=\"viewer\" class=\"viewer\" hidden"));

    // A passage opened from the address: both articles, highlighted, edits marked.
    let id = edited_passage(&f, s.to_str().unwrap());
    let dom = run_chromium(
        &browser,
        &format!("{}#p={id}", file_url(&page)),
        &["--dump-dom"],
    );
    assert_page_ran(&dom);
    assert!(
        !dom.contains("<div id=\"viewer\" class=\"viewer\" hidden"),
        "viewer open"
    );
    assert!(dom.contains(&format!("data-passage=\"{id}\"")));
    let panes = &dom[dom.find("id=\"pa\"").unwrap()..];
    for class in ["cur", "cur rep", "reu"] {
        assert!(
            panes.contains(&format!("<span class=\"{class}\">")),
            "{class}"
        );
    }
    assert!(panes.contains("class=\"cur ins\"") || panes.contains("class=\"cur del\""));

    // The screenshot for humans.
    let png = f.path("report.png");
    run_chromium(
        &browser,
        &file_url(&page),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,900",
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    if std::env::var_os("WIRECOPY_UPDATE_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        std::fs::write(docs.join("report-samples.png"), &bytes).unwrap();
        let passage = f.path("passage.png");
        run_chromium(
            &browser,
            &format!("{}#p={id}", file_url(&page)),
            &[
                &format!("--screenshot={}", passage.display()),
                "--window-size=1100,700",
            ],
        );
        std::fs::copy(passage, docs.join("report-passage.png")).unwrap();
    }
}

#[test]
fn article_markup_shows_as_text_in_chromium() {
    let Some(browser) = chromium() else { return };
    let f = Fixture::new();
    let evil =
        "<script>document.title='pwned'</script><img src=x onerror=alert(1)> </script><b>bold</b>";
    let story = "Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine and improving their diplomatic and economic ties, officials said.";
    f.write("c/wire/a.txt", format!("{evil}\n{story}"));
    f.write(
        "c/daily/b.txt",
        "Officials: Russia and the US agreed on Tuesday to start working toward ending the war in Ukraine and improving diplomatic and economic ties, officials said. <iframe src=\"x\"></iframe>",
    );
    let run = f.run(&["report", "c", "--format", "html", "-o", "r.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let id = edited_passage(&f, "c");
    let dom = run_chromium(
        &browser,
        &format!("{}#p={id}", file_url(&f.path("r.html"))),
        &["--dump-dom"],
    );
    assert_page_ran(&dom);
    assert!(
        dom.contains("<title>wirecopy report: c</title>"),
        "title untouched"
    );
    let panes = &dom[dom.find("id=\"pa\"").unwrap()..];
    let panes = &panes[..panes.find("<script").unwrap()];
    assert!(
        panes.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "{panes}"
    );
    assert!(panes.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(panes.contains("&lt;iframe src=\"x\"&gt;&lt;/iframe&gt;"));
    assert!(!panes.contains("<img") && !panes.contains("<b>") && !panes.contains("<iframe"));
}

#[test]
fn hostile_corpus_runs_no_script_and_links_only_http_in_chromium() {
    let Some(browser) = chromium() else { return };
    let f = Fixture::new();
    crate::hostile::write_corpus(&f);
    let run = f.run(&[
        "report",
        "hostile.jsonl",
        "--format",
        "html",
        "-o",
        "r.html",
    ]);
    assert_eq!(run.code, 1, "the duplicate is skipped: {}", run.stderr);
    let page = f.path("r.html");
    // The first passage: its sides are the first two documents, with the planted title and
    // markup, a javascript: url (A) and an https url (B).
    let json = f.run(&["report", "hostile.jsonl", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let p = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"]["doc"] == "=1+1\x1b[31m" && p["b"]["doc"] == "+cmd|' /C calc'!A0")
        .expect("a passage between the first two documents");
    let id = p["id"].as_str().unwrap();
    for url in [file_url(&page), format!("{}#p={id}", file_url(&page))] {
        let dom = run_chromium(&browser, &url, &["--dump-dom"]);
        assert_page_ran(&dom);
        // No planted script ran: the title is ours, and no element came from the corpus.
        assert!(
            dom.contains("<title>wirecopy report: hostile.jsonl</title>"),
            "{dom}"
        );
        assert!(!dom.contains("pwned</title>"));
        for tag in ["<img", "<svg", "<iframe"] {
            assert!(!dom.contains(tag), "{tag} in the DOM");
        }
        assert_eq!(
            dom.matches("<script").count(),
            3,
            "only the page's own scripts"
        );
        assert!(!dom.to_ascii_lowercase().contains("href=\"javascript"));
        assert!(!dom.contains("href=\"data:"));
    }
    let dom = run_chromium(
        &browser,
        &format!("{}#p={id}", file_url(&page)),
        &["--dump-dom"],
    );
    assert!(
        dom.contains(&format!("data-passage=\"{id}\"")),
        "viewer open"
    );
    let panes = &dom[dom.find("id=\"pa\"").unwrap()..];
    let panes = &panes[..panes.find("<script").unwrap()];
    // The planted markup is text, the javascript: url text, the https url a link.
    assert!(panes.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(panes.contains("\"&gt;&lt;img src=x onerror=\"document.title='pwned'\"&gt;"));
    assert!(
        panes.contains("<p class=\"muted url\">javascript:alert(document.title='pwned')</p>"),
        "{panes}"
    );
    assert!(
        panes.contains(
            "<a href=\"https://example.com/story?a=1&amp;b=&quot;2&quot;\" rel=\"noopener noreferrer\">"
        ),
        "{panes}"
    );
}
