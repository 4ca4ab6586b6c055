//! A scripted [`Runner`] for unit tests: canned answers keyed by what the command line contains,
//! and a log of every command received so tests can assert what would have run.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Result;

use crate::process::{CommandSpec, Output, Runner};

/// One scripted answer: used for the first command whose rendered line contains `pattern`.
struct Rule {
    pattern: String,
    answers: VecDeque<Output>,
}

/// A fake process runner. Rules are tried in the order they were added; a rule with several
/// answers gives them out in turn and repeats its last one.
#[derive(Default)]
pub struct FakeRunner {
    rules: Mutex<Vec<Rule>>,
    log: Mutex<Vec<CommandSpec>>,
}

impl FakeRunner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers commands containing `pattern` with exit 0 and `stdout`.
    pub fn ok(self, pattern: &str, stdout: &str) -> Self {
        self.answer(pattern, output(Some(0), stdout, "", 0.0))
    }

    /// Answers commands containing `pattern` with `code` and `stderr`.
    pub fn fail(self, pattern: &str, code: i32, stderr: &str) -> Self {
        self.answer(pattern, output(Some(code), "", stderr, 0.0))
    }

    /// Answers commands containing `pattern` with successful runs taking these many seconds.
    pub fn timed(self, pattern: &str, seconds: &[f64]) -> Self {
        let mut this = self;
        for &s in seconds {
            this = this.answer(pattern, output(Some(0), "", "", s));
        }
        this
    }

    /// Adds one answer to the rule for `pattern`, creating the rule if needed.
    pub fn answer(self, pattern: &str, out: Output) -> Self {
        {
            let mut rules = self.rules.lock().unwrap();
            match rules.iter_mut().find(|r| r.pattern == pattern) {
                Some(rule) => rule.answers.push_back(out),
                None => rules.push(Rule { pattern: pattern.to_string(), answers: VecDeque::from([out]) }),
            }
        }
        self
    }

    /// Every command received, in order.
    pub fn log(&self) -> Vec<CommandSpec> {
        self.log.lock().unwrap().clone()
    }

    /// The rendered command lines received, in order.
    pub fn lines(&self) -> Vec<String> {
        self.log().iter().map(ToString::to_string).collect()
    }
}

impl Runner for FakeRunner {
    fn run(&self, cmd: &CommandSpec) -> Result<Output> {
        self.log.lock().unwrap().push(cmd.clone());
        let line = cmd.to_string();
        let mut rules = self.rules.lock().unwrap();
        let Some(rule) = rules.iter_mut().find(|r| line.contains(&r.pattern)) else {
            anyhow::bail!("could not execute process `{line}` (no fake answer)");
        };
        if rule.answers.len() > 1 { Ok(rule.answers.pop_front().unwrap()) } else { Ok(rule.answers[0].clone()) }
    }
}

/// Builds an [`Output`] with the given fields.
pub fn output(code: Option<i32>, stdout: &str, stderr: &str, seconds: f64) -> Output {
    Output {
        code,
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
        elapsed: Duration::from_secs_f64(seconds),
        cpu: Some(Duration::from_secs_f64(seconds * 1.5)),
        peak_rss: Some(300 * 1024 * 1024),
        timed_out: false,
    }
}
