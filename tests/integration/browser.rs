//! The report's corrections in a real browser: an analyst marks a tag wrong on one record and
//! adds one on another, exports, and `zaitaku eval --gold` reads the file as it is. Chromium is
//! driven over the DevTools protocol on a pipe, as a person would click.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;

use serde_json::{Value, json};

use super::harness::{repo, stderr, stdout, workdir, zaitaku};
use super::report::chromium;

/// A headless Chromium and one page of it, over `--remote-debugging-pipe`.
struct Browser {
    child: std::process::Child,
    to_browser: std::fs::File,
    from_browser: BufReader<std::fs::File>,
    next_id: u64,
    session: Option<String>,
}

fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe2");
    (fds[0], fds[1])
}

impl Browser {
    fn launch(chromium: &Path, profile: &Path) -> Self {
        let (browser_reads, we_write) = pipe();
        let (we_read, browser_writes) = pipe();
        let mut command = std::process::Command::new(chromium);
        command.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-pipe",
            &format!("--user-data-dir={}", profile.display()),
            "about:blank",
        ]);
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        // SAFETY: only async-signal-safe calls between fork and exec. The pipe ends go to
        // descriptors 3 and 4 (where Chromium looks for them) by way of descriptors above 10,
        // so neither dup2 can overwrite the other's source; dup2 clears close-on-exec.
        unsafe {
            command.pre_exec(move || {
                let reads = libc::fcntl(browser_reads, libc::F_DUPFD, 10);
                let writes = libc::fcntl(browser_writes, libc::F_DUPFD, 10);
                if reads < 0 || writes < 0 || libc::dup2(reads, 3) < 0 || libc::dup2(writes, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("chromium starts");
        // SAFETY: the descriptors are ours and each is wrapped once; the child's ends are closed
        // here so that a dead browser gives end of file.
        let (to_browser, from_browser) = unsafe {
            libc::close(browser_reads);
            libc::close(browser_writes);
            (std::fs::File::from_raw_fd(we_write), std::fs::File::from_raw_fd(we_read))
        };
        Browser { child, to_browser, from_browser: BufReader::new(from_browser), next_id: 1, session: None }
    }

    /// Sends a command (to the page once one is attached, unless `browser_level`) and waits for
    /// its answer, skipping events.
    fn call(&mut self, method: &str, params: Value, browser_level: bool) -> Value {
        let reply = self.try_call(method, params, browser_level);
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// [`Browser::call`], returning the whole reply (`result` or `error`).
    fn try_call(&mut self, method: &str, params: Value, browser_level: bool) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let (Some(session), false) = (&self.session, browser_level) {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).expect("write to chromium");
        loop {
            let mut reply = Vec::new();
            let n = self.from_browser.read_until(0, &mut reply).expect("read from chromium");
            assert!(n > 0, "chromium closed the pipe while waiting for {method}");
            reply.pop();
            let reply: Value = serde_json::from_slice(&reply).expect("JSON from chromium");
            if reply["id"] == id {
                return reply;
            }
        }
    }

    /// Opens `url` in a new page and waits until it has loaded.
    fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", json!({"url": url}), true);
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
            true,
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
        // The new page may still show its initial about:blank (whose context a navigation then
        // destroys): ask until this URL has loaded.
        let wanted = format!("{}|complete", url.split('#').next().unwrap_or(url));
        for _ in 0..500 {
            let reply = self.try_call(
                "Runtime.evaluate",
                json!({"expression": "location.href.split('#')[0] + '|' + document.readyState", "returnByValue": true}),
                false,
            );
            if reply.get("result").is_some_and(|r| r["result"]["value"] == wanted.as_str()) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("{url} did not load");
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value; a thrown
    /// exception fails the test.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            false,
        );
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Goes to a drill-down by its hash and waits for it to render.
const GO: &str = "hash => new Promise(done => { addEventListener('hashchange', () => setTimeout(done, 0), {once: true}); location.hash = hash; })";

#[test]
fn corrections_made_in_the_report_round_trip_through_eval() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("ZAITAKU_REQUIRE_BROWSER").is_none(),
            "ZAITAKU_REQUIRE_BROWSER is set but no chromium was found (install Debian's chromium)"
        );
        eprintln!(
            "\n*** SKIPPED corrections_made_in_the_report_round_trip_through_eval: no chromium on PATH ***\n"
        );
        return;
    };
    let dir = workdir();
    let out = dir.path().join("reports");
    let dictionaries = repo("dictionaries");
    let data = repo("data");
    let args = ["--data", data.to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap(), "--out"];
    let output = zaitaku(dir.path(), &[&args[..], &[out.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();

    let mut browser = Browser::launch(&chromium, &dir.path().join("profile"));
    browser.call(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.to_str().unwrap()}),
        true,
    );
    let page = out.join("index.html").canonicalize().unwrap();
    browser.open(&format!("file://{}", page.display()));

    // 2024-001 (小石川医師会): the house-call vendor tag is marked wrong.
    browser.eval(&format!("({GO})('#drill=district_tag|小石川医師会|partner.house_call_vendor')"));
    let tags_of_first = browser.eval(
        "Array.from(document.querySelectorAll('.record[data-id=\"2024-001\"] select[data-fix=status]')).map(s => s.dataset.tag)",
    );
    assert!(tags_of_first.as_array().unwrap().len() >= 2, "{tags_of_first}");
    browser.eval(
        "(() => { const s = document.querySelector('select[data-fix=status][data-id=\"2024-001\"][data-tag=\"partner.house_call_vendor\"]');
          s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true})); })()",
    );
    assert_eq!(
        browser.eval("document.querySelector('.record[data-id=\"2024-001\"] .fixtag.wrong').dataset.tag"),
        "partner.house_call_vendor"
    );

    // 2024-002 (浅草医師会): a tag the rules missed is added from the taxonomy.
    browser.eval(&format!("({GO})('#drill=district_tag|浅草医師会|staff.taikii')"));
    browser.eval(
        "(() => { const card = document.querySelector('.record[data-id=\"2024-002\"]');
          card.querySelector('[data-fix=add-tag]').value = 'staff.rinban';
          card.querySelector('[data-fix=add-status]').value = 'planned';
          card.querySelector('button[data-fix=add]').click(); })()",
    );
    assert_eq!(
        browser.eval("document.getElementById('corrections-count').textContent"),
        "2 record(s) corrected"
    );
    browser.eval("document.getElementById('corrections-export').click()");

    let exported = downloads.join("corrections.jsonl");
    for _ in 0..100 {
        if exported.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&exported).expect("the browser saved corrections.jsonl");
    let ids: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["2024-001", "2024-002"]);

    let gold = exported.to_str().unwrap();
    let output = zaitaku(
        dir.path(),
        &["eval", "--gold", gold, "--json", "--dictionaries", dictionaries.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let evaluation: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let micro = &evaluation["micro"];
    let predicted: usize = evaluation["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["predicted"].as_object().unwrap().len())
        .sum();
    assert_eq!((micro["fp"].as_u64(), micro["fn"].as_u64()), (Some(1), Some(1)), "{micro}");
    assert_eq!(micro["tp"].as_u64().unwrap() as usize, predicted - 1, "every other tag is a true positive");
    assert_eq!(evaluation["per_tag"]["partner.house_call_vendor"]["fp"], 1);
    assert_eq!(evaluation["per_tag"]["staff.rinban"]["fn"], 1);
}

#[test]
fn a_tags_column_opens_its_evidence_in_context() {
    let Some(chromium) = chromium() else {
        eprintln!("\n*** SKIPPED a_tags_column_opens_its_evidence_in_context: no chromium on PATH ***\n");
        assert!(std::env::var_os("ZAITAKU_REQUIRE_BROWSER").is_none(), "no chromium found");
        return;
    };
    let dir = workdir();
    let out = dir.path().join("reports");
    let dictionaries = repo("dictionaries");
    let data = repo("data");
    let args = ["--data", data.to_str().unwrap(), "--dictionaries", dictionaries.to_str().unwrap(), "--out"];
    assert!(zaitaku(dir.path(), &[&args[..], &[out.to_str().unwrap()]].concat()).status.success());
    let mut browser = Browser::launch(&chromium, &dir.path().join("profile"));
    let page = out.join("index.html").canonicalize().unwrap();
    browser.open(&format!("file://{}", page.display()));
    // The column header of 輪番制 in the district × tag table, clicked.
    browser.eval(
        "new Promise(done => { addEventListener('hashchange', () => setTimeout(done, 0), {once: true});
           document.querySelector('thead a[href=\"#drill=kwic|staff.rinban|\"]').click(); })",
    );
    let rows = browser.eval(
        "Array.from(document.querySelectorAll('table.kwic tbody tr')).map(tr => Array.from(tr.cells).map(c => c.textContent))",
    );
    // The same lines `zaitaku kwic --tag` gives, in the same order.
    let seed = repo("data/r06_tokyo_zaitaku_jigyo_ichiran.txt");
    let output = zaitaku(
        dir.path(),
        &[
            "kwic",
            "--tag",
            "staff.rinban",
            seed.to_str().unwrap(),
            "--format",
            "tsv",
            "--dictionaries",
            dictionaries.to_str().unwrap(),
        ],
    );
    let expected: Vec<Value> = stdout(&output)
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            json!([f[0], f[1], f[2], f[3], f[4], f[5], f[7], f[8]])
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(rows, Value::Array(expected.clone()));

    // A line's record id opens that record, with its correction controls.
    browser.eval(
        "new Promise(done => { addEventListener('hashchange', () => setTimeout(done, 0), {once: true});
           document.querySelector('table.kwic tbody tr a').click(); })",
    );
    let opened = browser.eval(
        "Array.from(document.querySelectorAll('#drill-records .record')).map(r => [r.dataset.id, r.querySelectorAll('[data-fix]').length > 0])",
    );
    assert_eq!(opened, json!([[expected[0][0], true]]));
}
